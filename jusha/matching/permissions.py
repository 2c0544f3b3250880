"""Loading pools and held matches on someone's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.matching.models import Match, Pool
from jusha.matching.selectors import is_visible


def access_pool(*, user, pk) -> Pool:
    """A public pool, or a draft for its sponsor's members and staff (NotFound to others)."""
    pool = Pool.objects.select_related("sponsor", "campaign").filter(pk=pk).first()
    if pool is None or not is_visible(pool, user):
        raise NotFound(_("There is no such matching pool."), code="not_found")
    return pool


def access_match_for_review(*, user, donation_id) -> Match:
    """A gift's match, for platform staff deciding a hold."""
    if not getattr(user, "is_staff", False):
        raise Forbidden(_("Only platform staff can decide held matches."), code="not_staff")
    match = Match.objects.select_related("pool", "project").filter(donation_id=donation_id).first()
    if match is None:
        raise NotFound(_("This gift has no match."), code="not_found")
    return match
