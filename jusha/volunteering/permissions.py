"""Loading volunteering's objects on someone's behalf, or refusing: NotFound for what the
user may not see (never confirming it exists), Forbidden for a role they lack."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.organisations.permissions import roles_for
from jusha.volunteering import states
from jusha.volunteering.models import Activity, Group, GroupProposal, HoursRecord, Shift, Signup


def _activity(pk) -> Activity:
    activity = Activity.objects.select_related("organisation", "group").filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("There is no such volunteer activity."), code="activity_unknown")
    return activity


def access_activity(*, user, pk: int) -> Activity:
    """Public (activities are hosted by verified organisations); `viewer_roles` attached."""
    activity = _activity(pk)
    activity.viewer_roles = roles_for(user, activity.organisation)
    return activity


def access_activity_to_run(*, user, pk: int) -> Activity:
    """An activity its organisation's owners and editors run (and staff see)."""
    activity = access_activity(user=user, pk=pk)
    if not activity.viewer_roles & (states.ORGANISERS | {"staff"}):
        raise Forbidden(_("Only the organisation's owners and editors run this activity."), code="not_organiser")
    return activity


def access_shift(*, user, pk: int) -> Shift:
    shift = Shift.objects.select_related("activity__organisation").filter(pk=pk).first()
    if shift is None:
        raise NotFound(_("There is no such shift."), code="shift_unknown")
    shift.activity.viewer_roles = roles_for(user, shift.activity.organisation)
    return shift


def access_shift_to_run(*, user, pk: int) -> Shift:
    shift = access_shift(user=user, pk=pk)
    if not shift.activity.viewer_roles & states.ORGANISERS:
        raise Forbidden(_("Only the organisation's owners and editors run this shift."), code="not_organiser")
    return shift


def access_signup(*, user, pk: int) -> Signup:
    """The member's own sign-up, or one on a shift the user organises."""
    signup = Signup.objects.select_related("shift__activity__organisation", "volunteer").filter(pk=pk).first()
    if signup is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("There is no such sign-up."), code="signup_unknown")
    if signup.volunteer_id != user.pk and not roles_for(user, signup.shift.activity.organisation) & states.ORGANISERS:
        raise NotFound(_("There is no such sign-up."), code="signup_unknown")
    return signup


def access_hours_record(*, user, pk: int, organiser: bool = False) -> HoursRecord:
    """The volunteer's own record, or (with `organiser`) one of an organisation the user runs."""
    record = (HoursRecord.objects.select_related("organisation", "volunteer", "activity").filter(pk=pk).first())
    if record is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("There is no such hours record."), code="hours_unknown")
    runs = bool(roles_for(user, record.organisation) & (states.ORGANISERS | {"staff"}))
    if record.volunteer_id != user.pk and not runs:
        raise NotFound(_("There is no such hours record."), code="hours_unknown")
    if organiser and not runs:
        raise Forbidden(_("Only the organisation's owners and editors confirm hours."), code="not_organiser")
    return record


def access_group(*, slug: str) -> Group:
    group = Group.objects.filter(slug=slug).first()
    if group is None:
        raise NotFound(_("There is no such group."), code="group_unknown")
    return group


def access_proposal(*, user, pk: int) -> GroupProposal:
    proposal = GroupProposal.objects.select_related("group", "organisation").filter(pk=pk).first()
    if proposal is None or not roles_for(user, proposal.organisation) & states.ORGANISERS:
        raise NotFound(_("There is no such proposal."), code="proposal_unknown")
    return proposal
