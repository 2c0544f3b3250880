from django import template

from django.utils.safestring import mark_safe

from jusha.core.richtext import paragraphs, sanitize_html
from jusha.projects.regions import region_label

register = template.Library()


@register.filter
def region(code) -> str:
    return region_label(code) or code


@register.filter
def richtext(html) -> str:
    """Stories, updates and reports are sanitised when written; again here, in case a row
    came from elsewhere (fixtures, imports, the shell)."""
    return mark_safe(sanitize_html(paragraphs(html)))  # noqa: S308 - sanitised just now
