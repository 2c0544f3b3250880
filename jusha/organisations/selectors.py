"""Reads of the organisations app, shared by pages, the API and other apps."""

import hashlib
from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from jusha.organisations.models import Invitation, Membership, Organisation

INVITATION_TTL = timedelta(days=14)


def organisation_can_publish(org: Organisation) -> bool:
    """Only verified organisations may publish projects."""
    return org.verification == Organisation.Verification.VERIFIED


def memberships_of(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name"))


def members_of(org: Organisation) -> list[Membership]:
    return list(Membership.objects.filter(organisation=org).select_related("user").order_by("role", "user__email"))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pending() -> Q:
    return Q(accepted_at__isnull=True, revoked_at__isnull=True, created_at__gte=timezone.now() - INVITATION_TTL)


def invitation_expired(invitation: Invitation) -> bool:
    return invitation.created_at < timezone.now() - INVITATION_TTL


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_digest=token_digest(token)).first()


def invitations_pending(org: Organisation) -> list[Invitation]:
    return list(Invitation.objects.filter(_pending(), organisation=org).select_related("invited_by"))


def invitations_for_user(user) -> list[Invitation]:
    """Invitations waiting for this user's email address to accept them."""
    return list(Invitation.objects.filter(_pending(), email__iexact=user.email).select_related("organisation"))


def dashboard_for(user) -> list[dict]:
    """For each of the user's organisations, what needs their action: the organisation's
    own part (invitations not yet accepted, for owners); the apps above add theirs
    (contributions.dashboard_sections). Two queries here."""
    memberships = memberships_of(user)
    owner_orgs = [m.organisation_id for m in memberships if m.role == Membership.Role.OWNER]
    invitations = defaultdict(list)
    if owner_orgs:
        for invitation in Invitation.objects.filter(_pending(), organisation_id__in=owner_orgs):
            invitations[invitation.organisation_id].append(invitation)
    return [
        {
            "organisation": m.organisation,
            "membership": m,
            "role": m.role,
            "role_label": m.get_role_display(),
            "is_owner": m.role == Membership.Role.OWNER,
            "invitations": invitations[m.organisation_id],
        }
        for m in memberships
    ]


def organisations_awaiting_verification() -> list[Organisation]:
    """What needs platform staff here: organisations waiting for verification, oldest first."""
    return list(
        Organisation.objects.filter(verification=Organisation.Verification.SUBMITTED)
        .annotate(
            submitted_at=Max("verification_changes__created_at", filter=Q(verification_changes__target="submitted"))
        )
        .order_by("submitted_at")
    )


def organisations_with_steps_to_review() -> list[Organisation]:
    """Organisations with verification steps waiting for staff, each with `steps_waiting`."""
    return list(
        Organisation.objects.annotate(steps_waiting=Count("verification_steps", filter=Q(verification_steps__status="submitted")))
        .filter(steps_waiting__gt=0).order_by("name")
    )
