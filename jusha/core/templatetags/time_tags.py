"""The one way a template shows a time: `{% load time_tags %}` then `{{ x|when }}` (a
moment, in words when recent) or `{{ x|day }}` (a day). Each draws a <time> element whose
datetime attribute carries RFC 3339 for machines and whose title carries the full moment."""

from django import template
from django.utils.html import format_html

from jusha.core import moments

register = template.Library()


def _time(value, text: str) -> str:
    if value is None or value == "":
        return ""
    return format_html('<time datetime="{}" title="{}">{}</time>', moments.iso(value), moments.full(value) if hasattr(value, "hour") else text, text)


@register.filter
def when(value) -> str:
    """`{{ entry.created_at|when }}` → <time …>今天 07:53</time>; None shows as nothing."""
    return _time(value, moments.when(value))


@register.filter
def day(value) -> str:
    """`{{ x.spent_on|day }}` → <time …>2026年12月6日</time>; None shows as nothing."""
    return _time(value, moments.day(value))


@register.filter
def at(value) -> str:
    """`{{ donation.paid_at|at }}` → the full moment, never relative (receipts, printouts)."""
    return _time(value, moments.full(value))


@register.filter
def at_text(value) -> str:
    """`{{ donation.paid_at|at_text }}` → "2026年12月6日 07:53" as plain text, for emails."""
    return moments.full(value)
