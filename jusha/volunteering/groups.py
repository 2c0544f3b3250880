"""Volunteer groups: members who volunteer together form a group, propose activities that a
verified organisation hosts, and see their hours together. (Written to attach later to the
community app's circles: a group is a circle's volunteering side, see docs/volunteering.md.)"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.richtext import text_field
from jusha.organisations.permissions import roles_for
from jusha.projects.regions import is_valid_region
from jusha.volunteering import services, states
from jusha.volunteering.models import Group, GroupMember, GroupProposal

MAX_MEMBERS = 200


@transaction.atomic
def group_create(*, name: str, actor, description: str = "", region_code: str = "") -> Group:
    name = text_field(name, limit=60, label=_("Name"))
    if region_code and not is_valid_region(region_code):
        raise Invalid(_("Choose the region from the list (a GB/T 2260 code)."), code="invalid_region")
    slug = (slugify(name) or "group")[:40] + "-" + secrets.token_hex(3)
    group = Group.objects.create(slug=slug, name=name, created_by=actor, region_code=region_code or "",
                                 description=text_field(description, limit=2000, label=_("Description"), required=False))
    GroupMember.objects.create(group=group, user=actor, role=GroupMember.Role.ORGANISER)
    return group


@transaction.atomic
def group_join(*, group, actor) -> GroupMember:
    if group.members.count() >= MAX_MEMBERS:
        raise Conflict(_("This group is full."), code="group_full")
    try:
        with transaction.atomic():
            return GroupMember.objects.create(group=group, user=actor)
    except IntegrityError as exc:
        raise Conflict(_("You are already in this group."), code="already_member") from exc


@transaction.atomic
def group_leave(*, group, actor) -> None:
    membership = GroupMember.objects.select_for_update().filter(group=group, user=actor).first()
    if membership is None:
        raise Conflict(_("You are not in this group."), code="not_member")
    organisers = group.members.filter(role=GroupMember.Role.ORGANISER).exclude(user=actor)
    if membership.role == GroupMember.Role.ORGANISER and not organisers.exists() and group.members.count() > 1:
        raise Conflict(_("Name another organiser before you leave."), code="last_organiser")
    membership.delete()


@transaction.atomic
def group_propose(*, group, organisation, actor, title: str, note: str) -> GroupProposal:
    """A group's member asks a verified organisation to host an activity for the group."""
    if not group.members.filter(user=actor).exists():
        raise Forbidden(_("Only the group's members propose activities for it."), code="not_member")
    if not organisation.is_verified:
        raise Conflict(_("Only verified organisations host volunteer activities."), code="organisation_unverified")
    return GroupProposal.objects.create(
        group=group, organisation=organisation, proposed_by=actor,
        title=text_field(title, limit=80, label=_("Title")), note=text_field(note, limit=2000, label=_("Proposal")),
    )


@transaction.atomic
def proposal_decide(*, proposal, actor, accept: bool, **activity) -> GroupProposal:
    """The organisation accepts (creating the activity, linked to the group, with
    `activity`'s fields for services.activity_create) or declines."""
    proposal = GroupProposal.objects.select_for_update().select_related("group", "organisation").get(pk=proposal.pk)
    target = GroupProposal.Status.ACCEPTED if accept else GroupProposal.Status.DECLINED
    states.PROPOSAL.check(proposal.status, target, roles_for(actor, proposal.organisation))
    if accept:
        activity.setdefault("title", proposal.title)
        activity.setdefault("description", proposal.note)
        proposal.activity = services.activity_create(organisation=proposal.organisation, actor=actor,
                                                     group=proposal.group, **activity)
    proposal.status = target
    proposal.save(update_fields=["status", "activity"])
    return proposal
