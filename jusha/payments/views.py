"""The sandbox provider's hosted pay page (what a real provider would host itself)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from jusha.core.errors import DomainError
from jusha.core.money import Money
from jusha.core.pages import domain_errors
from jusha.payments.permissions import access_sandbox_agreement, access_sandbox_charge
from jusha.payments.sandbox import SandboxProvider


@domain_errors
def sandbox_pay(request, intent_id):
    if not settings.JUSHA_SANDBOX_ENABLED:
        raise Http404
    charge = access_sandbox_charge(intent_id=intent_id)
    if request.method == "POST":
        try:
            SandboxProvider().complete(intent_id, request.POST.get("result", ""))
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            return redirect("payments:sandbox_pay", intent_id=intent_id)
        if charge.return_url and url_has_allowed_host_and_scheme(charge.return_url, allowed_hosts={request.get_host()}):
            return redirect(charge.return_url)
        return redirect("payments:sandbox_pay", intent_id=intent_id)
    return render(request, "payments/sandbox_pay.html", {"charge": charge, "money": Money(charge.amount, charge.currency)})


@domain_errors
def sandbox_agreement(request, agreement_id):
    """The sandbox's hosted page for a saved payment agreement: authorise or decline it, and
    (a sandbox's test switch) say what the next charge does."""
    if not settings.JUSHA_SANDBOX_ENABLED:
        raise Http404
    agreement = access_sandbox_agreement(agreement_id=agreement_id)
    if request.method == "POST":
        try:
            if "outcome" in request.POST:
                SandboxProvider().agreement_outcome_set(agreement_id, request.POST["outcome"])
                return redirect("payments:sandbox_agreement", agreement_id=agreement_id)
            SandboxProvider().agreement_sign(agreement_id, request.POST.get("result", ""))
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            return redirect("payments:sandbox_agreement", agreement_id=agreement_id)
        if agreement.return_url and url_has_allowed_host_and_scheme(agreement.return_url, allowed_hosts={request.get_host()}):
            return redirect(agreement.return_url)
        return redirect("payments:sandbox_agreement", agreement_id=agreement_id)
    return render(request, "payments/sandbox_agreement.html", {"agreement": agreement})
