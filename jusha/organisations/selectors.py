"""Reads of the organisations app, shared by pages, the API and other apps."""

import hashlib
from collections import defaultdict
from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from jusha.organisations.models import Invitation, Membership, Organisation
from jusha.projects.models import Project

INVITATION_TTL = timedelta(days=14)
PUBLIC_PROJECT_STATUSES = ("fundraising", "funded", "executing", "completed")
PROJECT_STATUSES_NEEDING_EDITORS = ("draft", "changes_requested")
PROJECT_ROLES = {"owner", "editor"}


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


def public_projects(org: Organisation) -> list:
    return list(
        Project.objects.filter(organisation=org, status__in=PUBLIC_PROJECT_STATUSES).only(
            "slug", "title", "summary", "status", "organisation_id"
        )
    )


def dashboard_for(user) -> list[dict]:
    """For each of the user's organisations, what needs their action. Three queries in all."""
    memberships = memberships_of(user)
    project_orgs = [m.organisation_id for m in memberships if m.role in PROJECT_ROLES]
    owner_orgs = [m.organisation_id for m in memberships if m.role == Membership.Role.OWNER]
    projects, invitations = defaultdict(list), defaultdict(list)
    if project_orgs:
        for project in Project.objects.filter(
            organisation_id__in=project_orgs, status__in=PROJECT_STATUSES_NEEDING_EDITORS
        ).only("slug", "title", "status", "review_note", "organisation_id"):
            projects[project.organisation_id].append(project)
    if owner_orgs:
        for invitation in Invitation.objects.filter(_pending(), organisation_id__in=owner_orgs):
            invitations[invitation.organisation_id].append(invitation)
    return [
        {
            "organisation": m.organisation,
            "role": m.role,
            "role_label": m.get_role_display(),
            "is_owner": m.role == Membership.Role.OWNER,
            "edits_projects": m.role in PROJECT_ROLES,
            "projects": projects[m.organisation_id],
            "invitations": invitations[m.organisation_id],
        }
        for m in memberships
    ]


def staff_queue() -> dict:
    """What needs platform staff: organisations waiting for verification, projects in review."""
    return {
        "organisations": list(
            Organisation.objects.filter(verification=Organisation.Verification.SUBMITTED)
            .annotate(
                submitted_at=Max("verification_changes__created_at", filter=Q(verification_changes__target="submitted"))
            )
            .order_by("submitted_at")
        ),
        "projects": list(
            Project.objects.filter(status="in_review")
            .select_related("organisation")
            .only("slug", "title", "created_at", "organisation__slug", "organisation__name")
            .order_by("created_at")
        ),
    }
