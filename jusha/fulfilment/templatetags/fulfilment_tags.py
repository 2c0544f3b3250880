"""What the project page, a donor's pages and the organisation dashboard show of batches,
for the includes those pages carry (each include reads in a fixed number of queries)."""

from django import template
from django.utils.translation import ngettext

from jusha.fulfilment import selectors

register = template.Library()


@register.simple_tag
def project_fulfilment(project) -> dict:
    return selectors.project_fulfilment(project)


@register.simple_tag
def donor_impact(donations) -> list:
    """[(donation, [Share]), …] for the gifts (or the one gift) that went into a batch."""
    donations = [donations] if hasattr(donations, "pk") else list(donations)
    impact = selectors.donor_impact(donations)
    return [(d, impact[d.pk]) for d in donations if impact.get(d.pk)]


@register.simple_tag
def batches_needing_action(organisation) -> list:
    return selectors.batches_needing_action(organisation)


@register.filter
def duration(delta) -> str:
    """How long a step took: "12 seconds", "5 minutes", "3 hours", "2 days"."""
    if delta is None:
        return ""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 2 * 86400:
        return ngettext("%(n)d day", "%(n)d days", seconds // 86400) % {"n": seconds // 86400}
    if seconds >= 2 * 3600:
        return ngettext("%(n)d hour", "%(n)d hours", seconds // 3600) % {"n": seconds // 3600}
    if seconds >= 2 * 60:
        return ngettext("%(n)d minute", "%(n)d minutes", seconds // 60) % {"n": seconds // 60}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
