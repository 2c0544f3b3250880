"""Public reads of projects: /api/v1/projects and /api/v1/projects/{slug}."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.core.errors import Invalid, NotFound
from jusha.core.pagination import Page
from jusha.projects import states
from jusha.projects.contributions import api_detail_fields
from jusha.projects.models import Cause, Project
from jusha.projects.regions import is_valid_region, region_label
from jusha.core.openapi import errors
from jusha.projects.schemas import AlternativeListOut, ProjectDetailOut, ProjectListOut
from jusha.projects.selectors import alternative_out, is_public, project_alternatives, project_cards, project_search, project_sums

router = Router(tags=["projects"])


def _time(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _item(request, project: Project) -> dict:
    return {
        "slug": project.slug,
        "title": project.title,
        "summary": project.summary,
        "status": project.status,
        "cause": project.cause,
        "region": project.region_code,
        "region_name": region_label(project.region_code),
        "goal": project.goal,
        "raised": project.raised,
        "gap": project.gap,
        "donors": project.donors,
        "currency": project.currency,
        "ends_at": _time(project.ends_at),
        "organisation": {"slug": project.organisation.slug, "name": project.organisation.name},
        "cover_url": request.build_absolute_uri(project.cover.url) if project.cover else None,
    }


@router.get("/projects", response=ProjectListOut, auth=None, summary="Public projects")
def list_projects(
    request,
    page: Query[Page],
    cause: str = Query("", description="A cause, e.g. elders"),
    region: str = Query("", description="A GB/T 2260 code; a province matches everything in it"),
    status: str = Query("", description="fundraising, funded, executing or completed"),
    q: str = Query("", max_length=100, description="Words in the title or summary"),
):
    if cause and cause not in Cause.values:
        raise Invalid(_("Unknown cause."), code="invalid_cause")
    if region and not is_valid_region(region):
        raise Invalid(_("Unknown region code."), code="invalid_region")
    if status and status not in states.PUBLIC:
        raise Invalid(_("Status must be one of fundraising, funded, executing, completed."), code="invalid_status")
    projects = project_search(cause=cause, region=region, status=status, q=q)
    page = project_cards(page.window(projects))
    return {"items": [_item(request, p) for p in page], "count": projects.count()}


def _public_project(slug: str) -> Project:
    project = Project.objects.select_related("organisation").filter(slug=slug).first()
    if project is None or not is_public(project):
        raise NotFound(_("There is no such project."))
    return project


@router.get("/projects/{slug}/alternatives", response=AlternativeListOut, auth=None, summary="Where else a gift is needed",
            openapi_extra=errors(404))
def list_alternatives(request, slug: str, limit: int = Query(5, ge=1, le=20)):
    """The cooler: projects still taking gifts that a donor who reached this one (full or
    not) could give to instead — the same cause first, then the same province, then the
    same organisation; within each, the largest unmet need (`gap`), then the fewest days left."""
    project = _public_project(slug)
    items = [alternative_out(p, absolute=request.build_absolute_uri) for p in project_alternatives(project, limit=limit)]
    return {"items": items, "count": len(items)}


@router.get("/projects/{slug}", response=ProjectDetailOut, auth=None, summary="One public project")
def get_project(request, slug: str):
    project = _public_project(slug)
    project_cards([project])
    contributed = {}
    for fields in api_detail_fields.collect(project):  # budget lines with their spending, batch size
        contributed.update(fields)
    return {
        **_item(request, project),
        "story": project.story,
        "unit": project.unit_name,
        "unit_cost": project.unit_cost,
        **contributed,
        "beneficiary_count": project.beneficiary_count,
        "shortfall_rule": project.shortfall_rule,
        "overflow_rule": project.overflow_rule,
        "published_at": _time(project.published_at),
        "days_left": project.days_left,
        "accepting_donations": project.accepting,
        "funds": project_sums([project.pk])[project.pk].figures(),
    }
