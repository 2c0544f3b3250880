from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.sections import given

register = template.Library()

SHARED = {"email": gettext_lazy("email"), "device": gettext_lazy("device"), "network": gettext_lazy("network")}


@register.simple_tag(takes_context=True)
def donation_match(context, donation) -> dict:
    """{% donation_match donation as m %}: m.matched, m.status, m.pool (None without a match);
    the page passes `donation_match` (selectors.donation_match_info)."""
    return given(context, "donation_match")


@register.simple_tag(takes_context=True)
def project_matching(context, project) -> dict:
    """The page passes `project_matching` (selectors.project_matching)."""
    return given(context, "project_matching")


@register.filter
def signal_text(signal: dict) -> str:
    """What an anti-gaming signal means, for the staff who review held matches."""
    code, count = signal.get("code"), signal.get("count", 0)
    if code == "own_member":
        return _("The donor is a member of the project's organisation.")
    if code == "org_identity":
        shared = ", ".join(str(SHARED.get(s, s)) for s in signal.get("shared", []))
        return _("A member of the organisation gave with the same %(what)s.") % {"what": shared}
    if code in ("repeat_account", "repeat_device", "repeat_network"):
        what = {"repeat_account": _("one account or email"), "repeat_device": _("one device"),
                "repeat_network": _("one network")}[code]
        return _("%(count)d gifts to this project from %(what)s in the look-back window (threshold %(threshold)d).") % {
            "count": count, "what": what, "threshold": signal.get("threshold", 0)}
    if code == "tranche_burst":
        return _("%(count)d gifts to this project within %(seconds)d seconds of a tranche opening.") % {
            "count": count, "seconds": signal.get("seconds", 0)}
    return str(code)
