"""The transparency pages that look up a gift or a project: verify my donation (by receipt
number), a receipt's proof bundle and its log panel, and the fund-flow pictures. The log
itself knows no domain, so these live in giving (above projects and the ledger); config/urls.py
serves them under /log/ in the `transparency` namespace beside the log's own views."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from jusha.giving.flow import fund_flow
from jusha.giving.models import Donation
from jusha.projects.models import Project
from jusha.transparency import receipts, selectors
from jusha.transparency.views import text_response

PUBLIC_PROJECTS = ("fundraising", "funded", "executing", "completed", "cancelled")


def verify(request):
    number = request.GET.get("receipt", "").strip()[:40]
    result = None
    if number:
        donation = Donation.objects.filter(receipt_number=number).select_related("project").first()
        result = receipts.receipt_check(donation) if donation else None
    status = 404 if number and (result is None or result.state == "none") else 200
    return render(request, "transparency/verify.html", {"number": number, "result": result}, status=status)


@require_GET
def receipt_bundle(request, donation_id):
    donation = get_object_or_404(Donation, pk=donation_id)
    index = selectors.log_index_for("gift", str(donation.pk)) if donation.receipt_number else None
    if index is None:
        raise Http404
    response = text_response(selectors.proof_bundle(index).text, cache="no-store")
    response["Content-Disposition"] = f'attachment; filename="jusha-{donation.receipt_number}.tlog-proof"'
    return response


@require_GET
def receipt_fragment(request, donation_id):
    """The receipt's log panel alone (HTMX refreshes it until the gift is in the log)."""
    donation = get_object_or_404(Donation.objects.select_related("project"), pk=donation_id)
    return render(request, "transparency/_receipt_proof.html", {"check": receipts.receipt_check(donation)})


def flow_platform(request):
    return render(request, "transparency/flow.html", {"flow": fund_flow(), "project": None})


def flow_project(request, slug):
    project = get_object_or_404(Project.objects.select_related("organisation"), slug=slug, status__in=PUBLIC_PROJECTS)
    return render(request, "transparency/flow.html", {"flow": fund_flow(project=project), "project": project})
