"""Loading a project's ledger on someone's behalf, and what the viewer may do with it.
Views and the API never filter by hand."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden
from jusha.projects.models import Project
from jusha.projects.permissions import access_project

SPENDERS = frozenset({"finance", "owner"})  # record expenditures (and a batch's purchase)
SPENDING = ("fundraising", "funded", "executing")  # a project's statuses in which money is spent


def access_ledger_project(*, user, slug: str) -> Project:
    """A project's public ledger: anyone's once the project is public (published, or
    cancelled after it was); before that only its organisation's members and staff see it
    (NotFound to others). `viewer_roles` is set."""
    return access_project(user=user, slug=slug)


def access_spending_project(*, user, slug: str) -> Project:
    """The project, for its organisation's finance members and owners (who record what
    is spent); Forbidden to other members, NotFound where the project is not visible."""
    try:
        return access_project(user=user, slug=slug, roles=SPENDERS)
    except Forbidden as exc:
        message = _("Only the organisation's finance members can record expenditures.")
        raise Forbidden(message, code="not_finance") from exc


def can_record_spending(project) -> bool:
    """Whether the viewer (`project.viewer_roles`, set by access_project) may record an
    expenditure for the project now: a finance member or owner, while it spends money."""
    return bool(getattr(project, "viewer_roles", set()) & SPENDERS) and project.status in SPENDING
