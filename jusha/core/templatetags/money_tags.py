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
