"""Report pages: the form anyone fills in, the staff queue and a report's page for staff,
evidence downloads (staff, audit-logged), and the organisation's page to answer reports
about it (no reporter on it, ever)."""

from __future__ import annotations

import mimetypes
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.core.audit import audit_record
from jusha.core.errors import DomainError, Invalid
from jusha.core.pages import domain_errors
from jusha.core.ratelimit import client_network
from jusha.reports import permissions, registry, selectors, services
from jusha.reports.forms import AnswerForm, DecideForm, NoteForm, ReportForm
from jusha.reports.kinds import ORGANISATION, PROJECT
from jusha.reports.models import Report


def _named_target(request):
    """(kind, key, query) from ?project=, ?organisation=, or ?kind=&key= for members' content
    held pending review (community's posts, comments, team pages); the form posts it back.
    Share links keep social's own flow (its suspension threshold)."""
    for kind in (PROJECT, ORGANISATION):
        key = request.GET.get(kind) or request.POST.get(kind)
        if key:
            return kind, key, urlencode({kind: key})
    kind, key = request.GET.get("kind", ""), request.GET.get("key", "")
    spec = registry.kinds().get(kind)
    if spec is not None and spec.held_pending_review and key:
        return kind, key[:80], urlencode({"kind": kind, "key": key[:80]})
    raise Http404


@domain_errors
def report_new(request):
    kind, key, query = _named_target(request)
    target = permissions.access_reportable(user=request.user, kind=kind, key=key)
    spec = registry.kind(kind)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, reasons=spec.reasons, content=spec.held_pending_review)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["website"]:
                    raise Invalid(_("This form could not be accepted."), code="spam_suspected")
                report = services.report_submit(
                    kind=kind, target=target, reason=data["reason"], details=data["details"],
                    reporter=request.user, contact=data["contact"], network=client_network(request),
                    files=data["evidence"],
                )
            except DomainError as exc:
                form.add_error("evidence" if exc.code and exc.code.startswith("file") else None, str(exc.detail))
                status = exc.status
            else:
                request.session["report_sent"] = report.pk
                return redirect("reports:sent")
        else:
            status = 422
    else:
        form = ReportForm(reasons=spec.reasons, content=spec.held_pending_review)
    return render(request, "reports/new.html", {
        "form": form, "kind": kind, "key": key, "query": query, "target": target, "notice": spec.notice,
        "target_name": getattr(target, "title", None) or getattr(target, "name", None) or spec.describe(target),
    }, status=status)


def report_sent(request):
    number = request.session.get("report_sent")
    if not number:
        raise Http404
    return render(request, "reports/sent.html", {"number": number})


@login_required
@domain_errors
def staff_queue(request):
    permissions.refuse_unless_staff(request.user)
    status = request.GET.get("status", "")
    if status not in Report.Status.values:
        status = ""
    reports = list(selectors.staff_queue(status)[:200])
    kinds = registry.kinds()
    for report in reports:  # each kind's translated label, not its stored name ("circle_post")
        kind = kinds.get(report.kind)
        report.kind_label = kind.label if kind is not None else report.kind
    return render(request, "reports/staff_queue.html", {
        "reports": reports, "status": status,
        "statuses": Report.Status.choices, "counts": selectors.queue_counts(),
    })


@login_required
@domain_errors
def staff_detail(request, pk):
    report = permissions.access_report_for_staff(user=request.user, pk=pk)
    audit_record(actor=request.user, action="report.view", target=report, data={})
    return render(request, "reports/staff_detail.html", {
        "report": report, "events": list(report.events.select_related("actor")),
        "evidence": list(report.evidence.all()), "target_url": selectors.target_url(report),
        "can_suspend": report.kind in (PROJECT, ORGANISATION), "kind": registry.kinds().get(report.kind),
    })


@login_required
@require_POST
@domain_errors
def staff_decide(request, pk):
    report = permissions.access_report_for_staff(user=request.user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the report."))
        return redirect("reports:staff_detail", pk=report.pk)
    try:
        services.report_transition(
            report=report, target=form.cleaned_data["target"], actor=request.user,
            outcome=form.cleaned_data["outcome"], suspend=form.cleaned_data["suspend"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The report is now “%(status)s”.") % {"status": report.get_status_display()})
    return redirect("reports:staff_detail", pk=report.pk)


@login_required
@require_POST
@domain_errors
def staff_note(request, pk):
    report = permissions.access_report_for_staff(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    try:
        services.report_note(report=report, actor=request.user, note=form.data.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("reports:staff_detail", pk=report.pk)


@login_required
@domain_errors
def evidence_file(request, pk, evidence_pk):
    evidence = permissions.access_evidence(user=request.user, report_pk=pk, pk=evidence_pk)
    audit_record(actor=request.user, action="report.evidence_view", target=evidence, data={"report": pk})
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = evidence.content_type or mimetypes.guess_type(evidence.file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@domain_errors
def organisation_reports(request, slug):
    organisation = permissions.access_reports_of_organisation(user=request.user, slug=slug)
    return render(request, "reports/organisation.html", {
        "organisation": organisation, "reports": selectors.reports_of_organisation(organisation),
        "form": AnswerForm(),
    })


@login_required
@require_POST
@domain_errors
def organisation_answer(request, slug, pk):
    report = permissions.access_report_of_organisation(user=request.user, slug=slug, pk=pk)
    try:
        services.report_answer(report=report, actor=request.user, answer=request.POST.get("answer", ""))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Your answer was sent to platform staff."))
    return redirect(reverse("reports:organisation", args=[slug]) + f"#report-{report.pk}")
