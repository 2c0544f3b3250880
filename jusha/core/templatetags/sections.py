"""`{% sections "slot" %}`: draws the sections that higher apps contributed to a slot of
this page (core.sections), each with the page's context plus its own, one after the
other (each template ends with its own newline)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def sections(context, slot: str) -> str:
    drawn = []
    for section in (context.get("sections") or {}).get(slot, ()):
        page = context.template.engine.get_template(section.template)
        with context.push(section.context):
            drawn.append(page.render(context))
    return mark_safe("".join(drawn))  # noqa: S308 - rendered templates, escaped as they render
