"""Server-side SVG charts (no JavaScript, no fonts assumed beyond the page's): the cohort
retention heat map. Pure; the numbers are also in the table beside it."""

from __future__ import annotations

from django.utils.html import escape

CELL, LABEL_W, HEAD_H = 26, 64, 22


def cohort_svg(cohorts: list[dict], *, title: str) -> str:
    """One row per cohort month, one cell per month after its first gift; the darker, the
    larger the share who gave again. Empty cells: months not yet come."""
    if not cohorts:
        return ""
    columns = len(cohorts[0]["retained"])
    width, height = LABEL_W + CELL * columns, HEAD_H + CELL * len(cohorts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="cohort-svg-title" class="cohort-chart"><title id="cohort-svg-title">{escape(title)}</title>'
    ]
    for k in range(columns):
        parts.append(f'<text x="{LABEL_W + CELL * k + CELL / 2}" y="15" font-size="10" text-anchor="middle" fill="#555">{k}</text>')
    for row, cohort in enumerate(cohorts):
        y = HEAD_H + CELL * row
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + CELL / 2 + 4}" font-size="10" text-anchor="end" fill="#333">{escape(cohort["month"])}</text>')
        for k, share in enumerate(cohort["retained"]):
            x = LABEL_W + CELL * k
            if share is None or not cohort["donors"]:
                parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" fill="#f4f4f4"/>')
                continue
            opacity = 0.08 + 0.92 * share
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" fill="#c2410c" fill-opacity="{opacity:.2f}">'
                f'<title>{escape(cohort["month"])} +{k}: {share * 100:.0f}%</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)
