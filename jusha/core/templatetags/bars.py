"""`<span class="w-{{ value|bar }}">`: a progress bar's width as one of the site's 101
width classes (static/jusha/site.css), since the Content-Security-Policy allows no inline
`style` attribute."""

from django import template

register = template.Library()


@register.filter
def bar(value) -> int:
    """A percentage as a whole number from 0 to 100 (anything else: 0)."""
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return 0
