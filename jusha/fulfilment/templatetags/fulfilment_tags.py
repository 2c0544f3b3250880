"""What the project page, a donor's pages and the organisation dashboard show of batches,
for the includes those pages carry.

Templates show, code decides: the page reads these with the selector of the same name and
passes the result in its context under the tag's name (`project_fulfilment`, `donor_impact`,
`batches_needing_action`), and the tag then only hands it on, with no query."""

from django import template
from django.utils.translation import ngettext

from jusha.core.sections import given

register = template.Library()


@register.simple_tag(takes_context=True)
def project_fulfilment(context, project) -> dict:
    return given(context, "project_fulfilment")


@register.simple_tag(takes_context=True)
def donor_impact(context, donations) -> list:
    """[(donation, [Share]), …] for the gifts (or the one gift) that went into a batch."""
    return given(context, "donor_impact")


@register.simple_tag(takes_context=True)
def batches_needing_action(context, organisation) -> list:
    return given(context, "batches_needing_action")


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
