import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jusha.core.client import ClientContext, device_cookie
from jusha.core.errors import DomainError, RateLimited
from jusha.core.idempotency import request_fingerprint, run_idempotent
from jusha.core.pages import domain_errors
from jusha.core.sections import collect_sections
from jusha.core.ratelimit import client_ip, rate_limit
from jusha.core.money import Money
from jusha.giving import permissions, receipt_links, rules, selectors, services
from jusha.giving.contributions import donate_offers, mine_sections, mine_top_sections, pause_offers, receipt_sections
from jusha.core.sections import group_sections
from jusha.giving.forms import DonationForm, RefundForm
from jusha.projects.selectors import project_alternatives, project_cards, project_gap
from jusha.transparency.receipts import receipt_check

# {donation id: receipt grant} (permissions.receipt_grant): the receipts this browser may
# see in full. Social's "light the relay" reads it too.
SESSION_TOKENS = "jusha_donation_tokens"

# Why a receipt link opened only the gift's public facts.
LINK_REFUSED = {
    receipt_links.EXPIRED: gettext_lazy("This receipt link has expired."),
    receipt_links.USED: gettext_lazy("This receipt link has already been used."),
    receipt_links.INVALID: gettext_lazy("This receipt link is not valid."),
}


def _remember(request, donation_id) -> None:
    grants = request.session.get(SESSION_TOKENS, {})
    grants.pop(str(donation_id), None)
    grants[str(donation_id)] = permissions.receipt_grant(donation_id)
    request.session[SESSION_TOKENS] = dict(list(grants.items())[-50:])


def _token_for(request, donation) -> str:
    """The key to the donation's receipt that this browser's session holds ("" if none)."""
    key = request.session.get(SESSION_TOKENS, {}).get(str(donation.pk), "")
    return key if key and permissions.access_token_valid(donation, key) else ""


# Gifts this browser opened today, for a guest's pause screen: {"day": "YYYY-MM-DD", "n": N}.
SESSION_GIFTS_TODAY = "jusha_gifts_today"


def _session_gifts_today(request) -> int:
    held = request.session.get(SESSION_GIFTS_TODAY) or {}
    return held.get("n", 0) if held.get("day") == timezone.localdate().isoformat() else 0


def _count_session_gift(request) -> None:
    request.session[SESSION_GIFTS_TODAY] = {"day": timezone.localdate().isoformat(), "n": _session_gifts_today(request) + 1}


@domain_errors
def donate(request, slug):
    project = permissions.access_giving_project(slug=slug)
    accepting, code, reason = services.project_accepting(project)
    project_cards([project])  # its gap and days left, as every card tells them
    initial = {"idempotency_key": uuid.uuid4().hex}
    if (again := request.GET.get("amount", "")[:20]) and not request.POST:  # "try again" after a declined payment
        initial["custom"] = again
    if team := request.GET.get("team", "")[:64]:  # from a team's page: the gift counts toward it
        initial["team"] = team
    form = DonationForm(request.POST or None, currency=project.currency, initial=initial)
    question = None
    if request.method == "POST" and accepting and form.is_valid() and not form.cleaned_data.get("confirmed"):
        question = _gap_question(project, form.cleaned_data["amount"])
        if question:  # asked once, gently; the same form sent again goes on (and is not paused again)
            form = DonationForm({**request.POST.dict(), "confirmed": "on"}, currency=project.currency)
            form.is_valid()
    seen = form.is_valid() and (form.cleaned_data.get("cooled") or form.cleaned_data.get("confirmed"))
    if request.method == "POST" and accepting and question is None and form.is_valid() and not seen:
        pause = rules.pause_reason(
            gifts_today=selectors.gifts_opened_today(user=request.user, session_count=_session_gifts_today(request)),
            amount=form.cleaned_data["amount"].amount, nth_gift=settings.JUSHA_PAUSE_NTH_GIFT, above=settings.JUSHA_PAUSE_ABOVE,
        )
        if pause:  # 冷静一下: shown once, never a refusal; the same form sent on goes on
            return _pause(request, project, form, pause)
    if request.method == "POST" and accepting and question is None and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("amount", "message", "show_message", "name", "anonymous", "email", "provider")}
        team = form.cleaned_data.get("team") or ""
        if not request.session.session_key:
            request.session.save()
        scope = f"session:{request.session.session_key}"
        client = ClientContext.of(request)

        def work(done):
            donation, token = services.donation_open(
                project=project, client=client, donor=request.user, ref=client.ref_for(project), **data,
                context={"team": team} if team else None, within=lambda d, t: done(201, _opened(d, t)),
            )
            return 201, _opened(donation, token)

        try:
            _status, body, replayed = run_idempotent(
                scope=scope, key=form.cleaned_data["idempotency_key"], own_transaction=True,
                fingerprint=request_fingerprint("POST", request.path, {**data, "amount": data["amount"].amount, **({"team": team} if team else {})}), work=work,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            if "token" in body:
                _remember(request, body["id"])
                if not replayed:
                    _count_session_gift(request)
                return redirect(body["payment_url"])
            form.add_error(None, body.get("detail", _("This gift could not be opened.")))
    # The cooler: a full or closed project names the most similar projects still in need.
    alternatives = [] if accepting else project_alternatives(project, limit=5)
    return device_cookie(request, render(request, "giving/donate.html", {
        "project": project, "form": form, "accepting": accepting, "closed_reason": reason, "code": code,
        "alternatives": alternatives, "question": question,
        "sections": collect_sections(donate_offers, project) if accepting else {},
    }, status=200 if accepting or request.method == "GET" else 409))


def _pause(request, project, form, reason: str):
    """The pause screen (冷静一下): where money is needed most, monthly giving instead, and
    a button that goes on with the gift exactly as it was typed."""
    carried = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "cooled")}
    return device_cookie(request, render(request, "giving/pause.html", {
        "project": project, "amount": form.cleaned_data["amount"], "reason": reason, "carried": carried,
        "needs": project_alternatives(project, limit=3),
        "sections": collect_sections(pause_offers, project, form.cleaned_data["amount"]),
    }))


def _gap_question(project, amount) -> str | None:
    """The question asked before a gift far above what the project still needs (never a
    refusal): what happens to the rest is the project's overflow rule."""
    gap = project_gap(project)
    if not rules.far_above_gap(amount=amount.amount, gap=gap):
        return None
    return _("Your gift of %(amount)s is much more than the %(gap)s this project still needs. "
             "If it arrives after the project is full: %(rule)s. Give it anyway, or change the amount?") % {
        "amount": amount.display(), "gap": Money(gap, amount.currency).display(), "rule": project.get_overflow_rule_display()}


def _opened(donation, token: str) -> dict:
    return {"id": str(donation.pk), "token": token, "payment_url": donation.payment_url}


@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors
def receipt(request, donation_id):
    donation = permissions.access_donation(donation_id=donation_id, related=("project__organisation", "donor"))
    if request.method == "POST" or receipt_links.PARAM in request.GET or "access_token" in request.GET:
        return _trade(request, donation)
    return _receipt_page(request, donation)


def _receipt_page(request, donation, *, ticket: str = ""):
    token = _token_for(request, donation)
    private = permissions.donation_can_view_private(donation, user=request.user, access_token=token)
    can_claim = bool(
        private and token and request.user.is_authenticated and donation.donor_id is None
        and donation.email and donation.email.lower() == request.user.email.lower()
    )
    if request.GET.get("print"):
        return render(request, "giving/receipt_print.html", {
            "donation": donation, "private": private, **_fee_lines(donation), "receipt_check": receipt_check(donation),
            "sections": collect_sections(receipt_sections, donation),
        })
    return render(request, "giving/receipt.html", {
        "donation": donation, "private": private, "can_claim": can_claim, "ticket": ticket, **_fee_lines(donation),
        "receipt_check": receipt_check(donation), "sections": collect_sections(receipt_sections, donation),
    })


def _fee_lines(donation) -> dict:
    """What the payment provider kept of this gift, and what reached the project."""
    fee = selectors.donation_fees([donation.pk]).get(str(donation.pk), 0)
    if not fee:
        return {}
    returned = selectors.donation_fee_returns([donation.pk]).get(str(donation.pk), 0)
    return {"fee": Money(fee, donation.currency), "fee_returned": Money(returned, donation.currency) if returned else None,
            "reached": Money(max(donation.amount - donation.refunded_amount - fee + returned, 0), donation.currency)}


def _trade(request, donation):
    """A receipt link's ticket (receipt_links.py) or the gift's access token, traded for a
    key in this browser's session; then the receipt's plain address, so that neither stays
    in the address bar or the history. A GET never spends a ticket (link checkers and chat
    previews fetch links): it shows the gift's public facts with a button that opens the
    whole receipt, and that POST spends it."""
    held = bool(_token_for(request, donation))
    if "access_token" in request.GET:
        token = request.GET["access_token"]
        outcome = receipt_links.OK if permissions.access_token_valid(donation, token) else receipt_links.INVALID
    elif request.method == "POST":
        outcome = receipt_links.ticket_redeem(donation, request.POST.get(receipt_links.PARAM, ""))
    else:
        ticket = request.GET[receipt_links.PARAM]
        outcome = receipt_links.ticket_check(donation, ticket)
        if outcome == receipt_links.OK and not held:
            response = _receipt_page(request, donation, ticket=ticket)
            response["Cache-Control"] = "no-store"
            return response
    if outcome == receipt_links.OK:
        _remember(request, donation.pk)
    elif not held:
        messages.warning(request, LINK_REFUSED[outcome])
    return redirect("giving:receipt", donation_id=donation.pk)


@require_POST
@domain_errors
def receipt_link_send(request, donation_id):
    """Email the gift's donor a new receipt link (their own address only, a few a day)."""
    donation = permissions.access_donation(donation_id=donation_id, related=("project",))
    try:
        rate_limit("receipt_link_network", client_ip(request))
        services.receipt_link_send(donation=donation)
    except RateLimited as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("If this gift was given with an e-mail address, a new receipt link is on its way to it."))
    return redirect("giving:receipt", donation_id=donation.pk)


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
    page.object_list = list(page.object_list)
    sections = group_sections(mine_sections.collect(page.object_list) + mine_top_sections.collect(request.user))
    return render(request, "giving/mine.html", {"page": page, "sections": sections})


@login_required
@domain_errors
def project_donations(request, slug):
    project = permissions.access_finance_project(user=request.user, slug=slug)
    page = Paginator(selectors.project_donations_for_finance(project), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.with_refund_flags(page.object_list, project.viewer_roles)
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
