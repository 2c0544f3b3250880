from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from jusha.social import rules

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, name, *args) -> str:
    """{% absolute_url "social:card" project.slug %}: for previews and QR codes."""
    return context["request"].build_absolute_uri(reverse(name, args=args))


@register.filter
def figure(value) -> str:
    """A count as the privacy rules left it: "<3" reads "fewer than 3", None (hidden beside
    a small figure, see rules.suppressed_cells) reads "hidden"."""
    if value is None:
        return _("hidden")
    return _("fewer than 3") if value == rules.FEWER else value


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
