from django import template

from jusha.ledger.rules import DIRECTIONS

register = template.Library()


@register.filter
def direction(kind) -> str:
    """{{ entry.kind|direction }}: "in", "out" or "held" (money moving within the project)."""
    return DIRECTIONS.get(kind, "")
