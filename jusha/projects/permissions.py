"""Loading a project on someone's behalf. Views and the API never filter by hand."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.projects.models import Project
from jusha.projects.selectors import is_public
from jusha.organisations.permissions import roles_for


def user_roles(user, organisation) -> set[str]:
    """The user's roles for the organisation's projects: "staff" and/or a membership role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()

    return set(roles_for(user, organisation))


def access_project(*, user, slug: str, roles=None) -> Project:
    """The project, with `viewer_roles` set, or NotFound / Forbidden.

    Drafts and projects under review exist only for the organisation's members and staff:
    to anyone else they are NotFound, never Forbidden (which would confirm they exist).
    With `roles`, the user must hold one of them.
    """
    project = Project.objects.select_related("organisation").filter(slug=slug).first()
    if project is None:
        raise NotFound(_("There is no such project."))
    held = user_roles(user, project.organisation)
    if not held and not is_public(project):
        raise NotFound(_("There is no such project."))
    if roles is not None and not held & set(roles):
        raise Forbidden(_("You are not allowed to do this for this project."), code="not_project_member")
    project.viewer_roles = held
    return project
