"""The sandbox provider's hosted pay page (what a real provider would host itself)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from jusha.core.errors import DomainError
from jusha.core.money import Money
from jusha.core.pages import domain_errors
from jusha.payments.permissions import access_sandbox_charge
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
