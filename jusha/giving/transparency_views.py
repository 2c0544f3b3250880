"""The transparency pages that look up a gift or a project: verify my donation (by receipt
number), a receipt's proof bundle and its log panel, and the fund-flow pictures. The log
itself knows no domain, so these live in giving (above projects and the ledger); config/urls.py
serves them under /log/ in the `transparency` namespace beside the log's own views."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jusha.core.pages import domain_errors
from jusha.giving import permissions
from jusha.giving.flow import fund_flow
from jusha.transparency import receipts, selectors
from jusha.transparency.views import text_response

def verify(request):
    number = request.GET.get("receipt", "").strip()[:40]
    result = None
    if number:
        donation = permissions.access_donation_by_receipt(number=number)
        result = receipts.receipt_check(donation) if donation else None
    status = 404 if number and (result is None or result.state == "none") else 200
    return render(request, "transparency/verify.html", {"number": number, "result": result}, status=status)


@require_GET
@domain_errors
def receipt_bundle(request, donation_id):
    donation = permissions.access_donation(donation_id=donation_id, related=())
    index = selectors.log_index_for("gift", str(donation.pk)) if donation.receipt_number else None
    if index is None:
        raise Http404
    response = text_response(selectors.proof_bundle(index).text, cache="no-store")
    response["Content-Disposition"] = f'attachment; filename="jusha-{donation.receipt_number}.tlog-proof"'
    return response


@require_GET
@domain_errors
def receipt_fragment(request, donation_id):
    """The receipt's log panel alone (HTMX refreshes it until the gift is in the log)."""
    donation = permissions.access_donation(donation_id=donation_id)
    return render(request, "transparency/_receipt_proof.html", {"check": receipts.receipt_check(donation)})


def flow_platform(request):
    return render(request, "transparency/flow.html", {"flow": fund_flow(), "project": None})


@domain_errors
def flow_project(request, slug):
    project = permissions.access_giving_project(slug=slug)
    return render(request, "transparency/flow.html", {"flow": fund_flow(project=project), "project": project})
