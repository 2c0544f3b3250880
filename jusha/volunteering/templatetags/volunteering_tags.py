"""Drawing helpers for volunteering's pages: hours, regions, salts, SVG bar charts."""

import base64

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from jusha.projects.regions import region_label

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Minutes as hours with one decimal ("1.5")."""
    minutes = int(minutes or 0)
    whole, rest = divmod(minutes * 10 // 60, 10)
    return f"{whole}.{rest}" if rest else str(whole)


@register.filter
def region(code) -> str:
    return region_label(code) or code


@register.filter
def b64(data) -> str:
    return base64.urlsafe_b64encode(bytes(data)).decode().rstrip("=") if data else ""


@register.simple_tag
def bar_chart(rows, width: int = 320):
    """A horizontal bar chart as SVG (attributes only: no inline style). The table beside it
    holds the same numbers for screen readers."""
    rows = list(rows)[:12]
    top = max((m for _n, m in rows), default=0) or 1
    line = 22
    parts = [f'<svg class="chart-svg" viewBox="0 0 {width} {line * len(rows)}" aria-hidden="true">']
    for i, (name, minutes) in enumerate(rows):
        bar = max(1, int((width - 130) * minutes / top))
        y = i * line
        parts.append(f'<text x="0" y="{y + 15}" class="chart-label">{escape(str(name)[:8])}</text>'
                     f'<rect x="90" y="{y + 4}" width="{bar}" height="14" class="bar-fill"/>'
                     f'<text x="{94 + bar}" y="{y + 15}" class="chart-value">{hours(minutes)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above


@register.filter
def span(shift) -> str:
    """A shift's time, in local time: "12-06 13:00–15:00", or both dates when it runs
    over days (an online task's window)."""
    from django.utils import timezone

    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    if start.date() == end.date():
        return f"{start:%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%m-%d %H:%M} – {end:%m-%d %H:%M}"
