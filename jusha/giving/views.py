import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.core.errors import DomainError
from jusha.core.idempotency import request_fingerprint, run_idempotent
from jusha.giving import schemas, services
from jusha.giving.forms import DonationForm, RefundForm
from jusha.giving.models import Donation
from jusha.matching.services import device_cookie, gift_context_record
from jusha.projects.models import Project
from jusha.projects.selectors import largest_unmet_needs
from jusha.social.services import attribution_capture
from jusha.social.visitors import remembered_ref, visitor_of

SESSION_TOKENS = "jusha_donation_tokens"


def _remember_token(request, donation_id, token: str) -> None:
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[str(donation_id)] = token
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-50:])


def _token_for(request, donation) -> str:
    token = request.GET.get("access_token") or request.session.get(SESSION_TOKENS, {}).get(str(donation.pk), "")
    if token and services.access_token_valid(donation, token):
        _remember_token(request, donation.pk, token)
        return token
    return ""


def donate(request, slug):
    project = get_object_or_404(Project.objects.select_related("organisation"), slug=slug, status__in=services.PUBLIC_STATUSES)
    accepting, code, reason = services.project_accepting(project)
    form = DonationForm(request.POST or None, currency=project.currency, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and accepting and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("amount", "message", "name", "anonymous", "email")}
        if not request.session.session_key:
            request.session.save()
        scope = f"session:{request.session.session_key}"

        def work():
            donation, token = services.donation_create(
                project=project, currency=project.currency, donor=request.user,
                return_url_for=lambda d, t: schemas.receipt_path(d, t), **data,
            )
            gift_context_record(donation=donation, request=request)
            attribution_capture(donation=donation, code=remembered_ref(request, project), visitor=visitor_of(request))
            return 201, {"id": str(donation.pk), "token": token, "payment_url": donation.payment_url}

        try:
            _status, body, _replayed = run_idempotent(
                scope=scope, key=form.cleaned_data["idempotency_key"],
                fingerprint=request_fingerprint("POST", request.path, data), work=work,
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


def receipt(request, donation_id):
    donation = get_object_or_404(Donation.objects.select_related("project__organisation", "donor"), pk=donation_id)
    token = _token_for(request, donation)
    private = services.donation_can_view_private(donation, user=request.user, access_token=token)
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
def claim(request, donation_id):
    donation = get_object_or_404(Donation, pk=donation_id)
    try:
        services.donation_claim(donation=donation, access_token=_token_for(request, donation), user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The gift is now in your account."))
    return redirect("giving:receipt", donation_id=donation.pk)


@login_required
def mine(request):
    donations = Donation.objects.filter(donor=request.user).select_related("project").order_by("-created_at")
    page = Paginator(donations, 30).get_page(request.GET.get("page"))
    return render(request, "giving/mine.html", {"page": page})


def _finance_project(request, slug) -> Project:
    """The project, for its organisation's finance members (and owners, and staff)."""
    from jusha.organisations.permissions import roles_for

    project = get_object_or_404(Project.objects.select_related("organisation"), slug=slug)
    if not ({"finance", "owner", "staff"} & roles_for(request.user, project.organisation)):
        raise PermissionDenied(_("Only the organisation's finance members can see this."))
    return project


@login_required
def project_donations(request, slug):
    project = _finance_project(request, slug)
    donations = Donation.objects.filter(project=project).exclude(status=Donation.Status.PENDING).select_related("donor").order_by("-created_at")
    page = Paginator(donations, 50).get_page(request.GET.get("page"))
    return render(request, "giving/project_donations.html", {"project": project, "page": page})


@login_required
def refund(request, donation_id):
    donation = get_object_or_404(Donation.objects.select_related("project__organisation"), pk=donation_id)
    _finance_project(request, donation.project.slug)
    form = RefundForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = {"amount": form.cleaned_data["amount"], "reason": form.cleaned_data["reason"]}

        def work():
            r = services.donation_refund(donation=donation, actor=request.user, **data)
            return 201, {"id": str(r.pk)}

        try:
            _s, body, _r = run_idempotent(
                scope=f"user:{request.user.pk}", key=form.cleaned_data["idempotency_key"],
                fingerprint=request_fingerprint("POST", request.path, data), work=work,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            if "id" in body:
                messages.success(request, _("The refund was sent to the donor's original payment method."))
                return redirect("giving:project_donations", slug=donation.project.slug)
            form.add_error(None, body.get("detail", ""))
    return render(request, "giving/refund.html", {"donation": donation, "form": form}, status=422 if form.errors else 200)
