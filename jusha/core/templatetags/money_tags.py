"""The one way a template shows money: `{% load money_tags %}` then `|money`."""

from django import template

from jusha.core.money import Money

register = template.Library()


@register.filter
def money(value, currency="CNY") -> str:
    """Money, or an integer of minor units with its currency, as people read it:
    `{{ project.goal_money|money }}`, `{{ line.amount|money:project.currency }}` (Money.display).
    None shows as nothing, so a figure withheld reads as the template says:
    `{{ relay.amount|money:project.currency|default:_("hidden") }}`."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        return value.display()
    return Money(int(value), currency or "CNY").display()


def times(bp) -> str:
    """A ratio in basis points as a plain multiple: 5000 -> "0.5", 10000 -> "1", 12500 -> "1.25"."""
    whole, rest = divmod(int(bp), 10_000)
    return f"{whole}" + (f".{rest:04d}".rstrip("0") if rest else "")


@register.filter(name="times")
def times_filter(bp) -> str:
    """`{{ pool.min_bp|times }}` → "0.5": a match ratio as a multiple of the gift."""
    return "" if bp is None or bp == "" else times(bp)


@register.filter
def ratio(bp) -> str:
    """`{{ pool.min_bp|ratio }}` → "1:1" (10000 basis points), "2:1", "0.5:1": what a sponsor
    adds for each yuan given, as donors read a match."""
    return "" if bp is None or bp == "" else f"{times(bp)}:1"
