"""The sandbox provider's hosted pay page (what a real provider would host itself), our
pay page that sends a payer on to a real provider's cashier (Alipay's signed redirect,
WeChat Pay's QR code drawn here or its phone page, Stripe Checkout), and the
reconciliation reports for the platform's finance staff."""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from jusha.core.errors import DomainError
from jusha.core.money import Money
from jusha.core.pages import domain_errors
from jusha.payments.permissions import access_provider_order, access_reconciliation, access_reconciliations, access_sandbox_agreement, access_sandbox_charge
from jusha.payments.providers import ProviderError, get_provider
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


def qr_svg(content: str) -> str:
    """A QR code drawn here, as inline SVG (no third-party image service sees the order)."""
    image = qrcode.make(content, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


@domain_errors
def pay(request, provider, out_trade_no):
    """Send the payer on to the provider: Alipay's cashier (signed now), WeChat Pay's QR code
    (a computer) or its phone page, Stripe Checkout. An expired order says so."""
    order = access_provider_order(provider=provider, out_trade_no=out_trade_no)
    context = {"order": order, "money": Money(order.amount, order.currency), "provider": provider}
    if order.expires_at <= timezone.now():
        return render(request, "payments/pay.html", {**context, "expired": True})
    try:
        gateway = get_provider(provider)
    except ProviderError:
        raise Http404 from None
    if provider == "alipay":
        return HttpResponseRedirect(gateway.pay_url(
            out_trade_no=order.out_trade_no, amount=order.amount, description=order.description,
            return_url=order.return_url, channel=order.channel, expires_at=order.expires_at,
        ))
    if provider == "wechatpay" and order.channel == "desktop":
        return render(request, "payments/pay.html", {**context, "qr": mark_safe(qr_svg(order.pay_url))})  # noqa: S308 - our own SVG
    if provider == "wechatpay":  # H5: WeChat's page, which comes back to the receipt
        return HttpResponseRedirect(f"{order.pay_url}&{urlencode({'redirect_url': order.return_url})}")
    return HttpResponseRedirect(order.pay_url)


@login_required
@domain_errors
def reconciliations(request):
    runs = list(access_reconciliations(user=request.user)[:200])
    return render(request, "payments/reconciliations.html", {"runs": runs})


@login_required
@domain_errors
def reconciliation(request, pk):
    run = access_reconciliation(user=request.user, pk=pk)
    return render(request, "payments/reconciliation.html", {"run": run, "findings": list(run.findings.all())})
