"""Projects and organisations as reportable kinds. Upholding a report may suspend
fundraising: a project's, or every fundraising project of an organisation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.organisations.models import Organisation
from jusha.organisations.permissions import access_public_organisation, roles_for
from jusha.projects import states as project_states
from jusha.projects.models import Project
from jusha.projects.permissions import access_project
from jusha.projects.services import project_transition
from jusha.reports import registry

PROJECT, ORGANISATION = "project", "organisation"


def _suspend(projects, actor, reason) -> int:
    count = 0
    for project in projects:
        if project.status == project_states.FUNDRAISING:
            project_transition(project=project, target=project_states.SUSPENDED, actor=actor, reason=reason)
            count += 1
    return count


def _resume(projects, actor, reason) -> int:
    count = 0
    for project in projects:
        if project.status == project_states.SUSPENDED:
            project_transition(project=project, target=project_states.FUNDRAISING, actor=actor, reason=reason)
            count += 1
    return count


def _is_member(organisation, user) -> bool:
    return bool(roles_for(user, organisation) - {"staff"})


def register_builtin() -> None:
    registry.register(registry.Kind(
        name=PROJECT,
        label=_("project"),
        lookup=lambda user, key: access_project(user=user, slug=key),
        get=lambda pk: Project.objects.select_related("organisation").filter(pk=pk).first(),
        describe=lambda project: project.title,
        url=lambda project: reverse("projects:detail", args=[project.slug]),
        organisation_of=lambda project: project.organisation,
        is_own=lambda project, user: _is_member(project.organisation, user),
        hide=lambda project, actor, reason: _suspend([project], actor, reason),
        restore=lambda project, actor, reason: _resume([project], actor, reason),
    ))
    registry.register(registry.Kind(
        name=ORGANISATION,
        label=_("organisation"),
        lookup=lambda user, key: access_public_organisation(user=user, slug=key),
        get=lambda pk: Organisation.objects.filter(pk=pk).first(),
        describe=lambda organisation: organisation.name,
        url=lambda organisation: reverse("organisations:detail", args=[organisation.slug]),
        organisation_of=lambda organisation: organisation,
        is_own=_is_member,
        hide=lambda organisation, actor, reason: _suspend(
            Project.objects.filter(organisation=organisation, status=project_states.FUNDRAISING), actor, reason),
        restore=lambda organisation, actor, reason: _resume(
            Project.objects.filter(organisation=organisation, status=project_states.SUSPENDED), actor, reason),
    ))
