"""The rating's history as a server-side SVG line (no script, no library), with a table
beside it on the page for those who do not see the chart."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, PAD = 600, 160, 24
FULL_SCORE = 100  # scores are out of 100 (not money)


def history_svg(points: list[tuple[str, float]], *, label: str) -> str:
    """points: (day as text, score 0..100), oldest first."""
    if not points:
        return ""
    n = len(points)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)

    def xy(i, score):
        return PAD + i * step, PAD + (HEIGHT - 2 * PAD) * (1 - score / FULL_SCORE)

    coords = [xy(i, s) for i, (_day, s) in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    grid = format_html_join("", '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="tick" x="2" y="{}">{}</text>',
                            ((PAD, WIDTH - PAD, f"{y:.1f}", f"{y:.1f}", f"{y + 4:.1f}", v) for v, y in ((v, PAD + (HEIGHT - 2 * PAD) * (1 - v / FULL_SCORE)) for v in (0, 50, 100))))
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>',
                            ((f"{x:.1f}", f"{y:.1f}", day, f"{s:.1f}") for (x, y), (day, s) in zip(coords, points)))
    return format_html(
        '<svg class="rating-history" viewBox="0 0 {} {}" role="img" aria-label="{}">{}<polyline points="{}"/>{}</svg>',
        WIDTH, HEIGHT, label, grid, mark_safe(line), dots,  # noqa: S308 - numbers only
    )
