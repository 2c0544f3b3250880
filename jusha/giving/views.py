import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.core.client import ClientContext, device_cookie
from jusha.core.errors import DomainError
from jusha.core.idempotency import request_fingerprint, run_idempotent
from jusha.core.pages import domain_errors
from jusha.giving import permissions, selectors, services
from jusha.giving.forms import DonationForm, RefundForm
from jusha.projects.selectors import largest_unmet_needs

SESSION_TOKENS = "jusha_donation_tokens"


def _remember_token(request, donation_id, token: str) -> None:
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[str(donation_id)] = token
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-50:])


def _token_for(request, donation) -> str:
    token = request.GET.get("access_token") or request.session.get(SESSION_TOKENS, {}).get(str(donation.pk), "")
    if token and permissions.access_token_valid(donation, token):
        _remember_token(request, donation.pk, token)
        return token
    return ""


@domain_errors
def donate(request, slug):
    project = permissions.access_giving_project(slug=slug)
    accepting, code, reason = services.project_accepting(project)
    form = DonationForm(request.POST or None, currency=project.currency, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and accepting and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("amount", "message", "show_message", "name", "anonymous", "email")}
        if not request.session.session_key:
            request.session.save()
        scope = f"session:{request.session.session_key}"
        client = ClientContext.of(request)

        def work(done):
            donation, token = services.donation_open(
                project=project, client=client, donor=request.user, ref=client.ref_for(project), **data,
                within=lambda d, t: done(201, _opened(d, t)),
            )
            return 201, _opened(donation, token)

        try:
            _status, body, _replayed = run_idempotent(
                scope=scope, key=form.cleaned_data["idempotency_key"], own_transaction=True,
                fingerprint=request_fingerprint("POST", request.path, {**data, "amount": data["amount"].amount}), work=work,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            if "token" in body:
                _remember_token(request, body["id"], body["token"])
                return redirect(body["payment_url"])
            form.add_error(None, body.get("detail", _("This gift could not be opened.")))
    suggestions = [] if accepting else largest_unmet_needs(exclude_id=project.pk, limit=3)
    return device_cookie(request, render(request, "giving/donate.html", {
        "project": project, "form": form, "accepting": accepting, "closed_reason": reason, "suggestions": suggestions,
    }, status=200 if accepting or request.method == "GET" else 409))


def _opened(donation, token: str) -> dict:
    return {"id": str(donation.pk), "token": token, "payment_url": donation.payment_url}


@domain_errors
def receipt(request, donation_id):
    donation = permissions.access_donation(donation_id=donation_id, related=("project__organisation", "donor"))
    token = _token_for(request, donation)
    private = permissions.donation_can_view_private(donation, user=request.user, access_token=token)
    if request.GET.get("access_token"):
        return redirect("giving:receipt", donation_id=donation.pk)  # keep the token out of the address bar
    can_claim = bool(
        private and token and request.user.is_authenticated and donation.donor_id is None
        and donation.email and donation.email.lower() == request.user.email.lower()
    )
    template = "giving/receipt_print.html" if request.GET.get("print") else "giving/receipt.html"
    return render(request, template, {"donation": donation, "private": private, "can_claim": can_claim})


@login_required
@require_POST
@domain_errors
def claim(request, donation_id):
    donation = permissions.access_donation(donation_id=donation_id, related=())
    try:
        services.donation_claim(donation=donation, access_token=_token_for(request, donation), user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The gift is now in your account."))
    return redirect("giving:receipt", donation_id=donation.pk)


@login_required
def mine(request):
    page = Paginator(permissions.donations_of(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "giving/mine.html", {"page": page})


@login_required
@domain_errors
def project_donations(request, slug):
    project = permissions.access_finance_project(user=request.user, slug=slug)
    page = Paginator(selectors.project_donations_for_finance(project), 50).get_page(request.GET.get("page"))
    return render(request, "giving/project_donations.html", {"project": project, "page": page})


@login_required
@domain_errors
def refund(request, donation_id):
    donation = permissions.access_refundable_donation(user=request.user, donation_id=donation_id)
    form = RefundForm(request.POST or None, currency=donation.currency, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = {"amount": form.cleaned_data["amount"], "reason": form.cleaned_data["reason"]}

        def work(done):
            r = services.donation_refund(donation=donation, actor=request.user, within=lambda r: done(201, {"id": str(r.pk)}), **data)
            return 201, {"id": str(r.pk)}

        try:
            _s, body, _r = run_idempotent(
                scope=f"user:{request.user.pk}", key=form.cleaned_data["idempotency_key"], own_transaction=True,
                fingerprint=request_fingerprint("POST", request.path, {**data, "amount": data["amount"].amount}), work=work,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            if "id" in body:
                messages.success(request, _("The refund was sent to the donor's original payment method."))
                return redirect("giving:project_donations", slug=donation.project.slug)
            form.add_error(None, body.get("detail", ""))
    return render(request, "giving/refund.html", {"donation": donation, "form": form}, status=422 if form.errors else 200)
