"""Loading pools, held matches and what a new pool names on someone's behalf, or refusing;
and what a reviewer may do with a held match, from the transition table."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jusha.campaigns.models import Campaign
from jusha.core.errors import Forbidden, Invalid, NotFound
from jusha.matching import selectors, states
from jusha.matching.models import Match, Pool
from jusha.matching.selectors import is_visible
from jusha.organisations.models import Organisation
from jusha.projects.models import Project


def access_pool(*, user, pk) -> Pool:
    """A public pool, or a draft for its sponsor's members and staff (NotFound to others)."""
    pool = Pool.objects.select_related("sponsor", "campaign").filter(pk=pk).first()
    if pool is None or not is_visible(pool, user):
        raise NotFound(_("There is no such matching pool."), code="not_found")
    return pool


def _require_staff(user, message) -> None:
    if not getattr(user, "is_staff", False):
        raise Forbidden(message, code="not_staff")


def access_match_for_review(*, user, donation_id) -> Match:
    """A gift's match, for platform staff deciding a hold."""
    _require_staff(user, _("Only platform staff can decide held matches."))
    match = Match.objects.select_related("pool", "project").filter(donation_id=donation_id).first()
    if match is None:
        raise NotFound(_("This gift has no match."), code="not_found")
    return match


def access_review_queue(*, user):
    """The held matches waiting for a decision, for platform staff."""
    _require_staff(user, _("Only platform staff can review held matches."))
    return selectors.review_queue()


def pool_references(*, sponsor: str, campaign: str | None, projects: list[str]) -> dict:
    """The organisation, campaign and projects a new pool names by slug, or Invalid (422).
    Whether the caller may set up a pool for the sponsor is the service's decision."""
    found = Organisation.objects.filter(slug=sponsor).first()
    if found is None:
        raise Invalid(_("There is no organisation with this address."), code="unknown_sponsor")
    named = None
    if campaign:
        named = Campaign.objects.filter(slug=campaign).first()
        if named is None:
            raise Invalid(_("There is no campaign with this address."), code="unknown_campaign")
    listed = list(Project.objects.filter(slug__in=projects))
    if len(listed) != len(set(projects)):
        raise Invalid(_("Some eligible projects do not exist."), code="unknown_project")
    return {"sponsor": found, "campaign": named, "projects": listed}


@dataclass(frozen=True)
class ReviewActions:
    can_release: bool = False
    can_reject: bool = False


def review_actions(user) -> ReviewActions:
    """What the user may do with a held match, from `states.MATCH`: release it to the
    project, or reject it (back to the pool)."""
    roles = {states.STAFF} if getattr(user, "is_staff", False) else set()
    targets = {target for role in roles for target in states.MATCH.targets(states.HELD, role)}
    return ReviewActions(can_release=states.RELEASED in targets, can_reject=states.RETURNED in targets)
