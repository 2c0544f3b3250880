"""/api/v1/reports: anyone reports a project or an organisation (rate-limited per member
and per network); an organisation's members read and answer the reports about it (never
who sent them); staff read a whole report."""

from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.accounts.auth import anyone, member
from jusha.core.errors import Invalid
from jusha.core.openapi import errors
from jusha.core.pagination import Page
from jusha.core.ratelimit import client_network
from jusha.reports import permissions, registry, selectors, services
from jusha.reports.kinds import ORGANISATION, PROJECT
from jusha.reports.schemas import AnswerIn, OrganisationReportOut, ReportCreatedOut, ReportIn, ReportListOut, StaffReportOut

router = Router(tags=["reports"])


def _out(view) -> dict:
    return {
        "id": view.pk, "kind": view.kind, "target": view.target_label, "reason": view.reason, "details": view.details,
        "status": view.status, "created_at": view.created_at, "answer": view.answer, "answered_at": view.answered_at,
        "outcome": view.outcome, "decided_at": view.decided_at,
    }


@router.post("/reports", auth=anyone, response={201: ReportCreatedOut}, openapi_extra=errors(404, 409, 422, 429),
             summary="Report a project, an organisation or members' content (举报)")
def report_create(request, payload: ReportIn):
    """Name exactly one of `project` or `organisation` by its slug, or members' content by
    `kind` and `key` (a circle post, a comment, a team page or a team's update: reasons
    `spam`, `abuse`, `false_information` or `other`). Guests and members alike; limited per
    member and per network (429 with Retry-After). The organisation is told about the
    report and may answer it, but is never told who sent it; a member's report of members'
    content hides it until staff decide (one's own: 422 `own_target`). Evidence files are
    sent through the report page (`/reports/new/`)."""
    named = [(kind, key) for kind, key in ((PROJECT, payload.project), (ORGANISATION, payload.organisation)) if key]
    if payload.kind or payload.key:
        spec = registry.kinds().get(payload.kind or "")
        if spec is None or not spec.held_pending_review or not payload.key:
            raise Invalid(_("Name what you report: a kind of content and its key."), code="target_required")
        named.append((payload.kind, payload.key))
    if len(named) != 1:
        raise Invalid(_("Name either a project or an organisation."), code="target_required")
    kind, key = named[0]
    target = permissions.access_reportable(user=request.auth, kind=kind, key=key)
    report = services.report_submit(
        kind=kind, target=target, reason=payload.reason, details=payload.details, reporter=request.auth,
        contact=payload.contact, network=client_network(request),
    )
    return 201, {"id": report.pk, "status": report.status}


@router.get("/orgs/{slug}/reports", auth=member, response=ReportListOut, openapi_extra=errors(403, 404),
            summary="The reports about an organisation, for its members")
def organisation_reports(request, slug: str, page: Query[Page]):
    """Owners, editors and finance members (and staff) read what was reported and answer
    it; the reporter, their contact and their files are never part of this answer."""
    organisation = permissions.access_reports_of_organisation(user=request.auth, slug=slug)
    views = selectors.reports_of_organisation(organisation)
    return {"items": [_out(v) for v in page.window(views)], "count": len(views)}


@router.post("/orgs/{slug}/reports/{report_id}/answer", auth=member, response=OrganisationReportOut,
             openapi_extra=errors(403, 404, 409, 422), summary="Answer a report about one's organisation")
def organisation_answer(request, slug: str, report_id: int, payload: AnswerIn):
    report = permissions.access_report_of_organisation(user=request.auth, slug=slug, pk=report_id)
    services.report_answer(report=report, actor=request.auth, answer=payload.answer)
    return _out(selectors.OrganisationView.of(report))


@router.get("/reports/{report_id}", auth=member, response=StaffReportOut, openapi_extra=errors(404),
            summary="A whole report (staff)")
def report_detail(request, report_id: int):
    """Staff only; to anyone else every report is unknown (404), the reported organisation's
    members included."""
    report = permissions.access_report_for_staff(user=request.auth, pk=report_id)
    return {
        **_out(selectors.OrganisationView.of(report)),
        "reporter": report.reporter.email if report.reporter else None,
        "reporter_contact": report.reporter_contact, "evidence": report.evidence.count(),
    }
