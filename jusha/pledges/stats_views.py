"""Retention pages: the platform's (public) and an organisation's (its members and staff),
each with the cohort chart as server-side SVG and the same numbers in a table beside it."""

from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jusha.core.pages import domain_errors
from jusha.organisations.permissions import access_organisation
from jusha.pledges.charts import cohort_svg
from jusha.pledges.stats import retention_figures
from jusha.projects.permissions import access_project
from jusha.projects.selectors import organisation_projects


def _context(figures, *, scope: str) -> dict:
    return {
        "figures": figures, "scope": scope,
        "churn_percent": f"{figures.monthly_churn * 100:.1f}" if figures.monthly_churn is not None else None,
        # Built from numbers and escaped labels only (charts.py): safe to draw inline.
        "chart": mark_safe(cohort_svg(figures.cohorts, title=_("Share of each month's new donors who gave again, by month after"))),  # noqa: S308
    }


@require_safe
def retention_platform(request):
    return render(request, "pledges/retention.html", _context(retention_figures(), scope=_("the whole platform")))


@require_safe
@domain_errors
def retention_organisation(request, slug):
    organisation = access_organisation(user=request.user, slug=slug)
    project = None
    if request.GET.get("project"):
        project = access_project(user=request.user, slug=request.GET["project"][:80])
        if project.organisation_id != organisation.pk:
            project = None
    figures = retention_figures(project=project) if project else retention_figures(organisation=organisation)
    per_project = [(p, retention_figures(project=p)) for p in organisation_projects(organisation)[:20]]
    context = _context(figures, scope=project.title if project else organisation.name)
    context.update({"organisation": organisation, "project": project, "per_project": per_project})
    return render(request, "pledges/retention.html", context)
