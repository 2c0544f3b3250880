import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.errors import DomainError, NotFound
from jusha.core.idempotency import request_fingerprint, run_idempotent
from jusha.core.pages import domain_errors
from jusha.pledges import selectors, services, targets
from jusha.pledges.forms import AmountForm, PledgeForm
from jusha.pledges.permissions import access_pledge


def _target(request) -> tuple[str, str]:
    for kind in ("project", "cause"):
        if request.GET.get(kind):
            return kind, request.GET[kind][:80]
    raise NotFound(_("Choose a project or a cause to give to each month."), code="not_found")


@login_required
@domain_errors
def pledge_new(request):
    """Set up monthly giving to a project or a cause fund; then authorise the payments on
    the provider's page."""
    kind, ref = _target(request)
    project = targets.target_kind(kind).resolve(ref)
    form = PledgeForm(request.POST or None, currency=project.currency, initial={
        "idempotency_key": uuid.uuid4().hex, "day": min(timezone.localdate().day, 28), "amount": request.GET.get("amount", "")[:20],
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work(done):
            pledge = services.pledge_create(
                donor=request.user, amount=data["amount"], day=data["day"], kind=kind, ref=ref,
                return_url=lambda p: reverse("pledges:signed", args=[p.pk]),
                within=lambda p: done(201, {"id": str(p.pk), "signing_url": p.signing_url}),
            )
            return 201, {"id": str(pledge.pk), "signing_url": pledge.signing_url}

        try:
            _status, body, _replayed = run_idempotent(
                scope=f"user:{request.user.pk}", key=data["idempotency_key"], work=work, own_transaction=True,
                fingerprint=request_fingerprint("POST", request.path, {"amount": data["amount"].amount, "day": data["day"],
                                                                      "kind": kind, "ref": ref}),
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            if "signing_url" in body:
                return redirect(body["signing_url"])
            form.add_error(None, body.get("detail", ""))
    return render(request, "pledges/new.html", {"form": form, "project": project, "kind": kind, "ref": ref,
                                                "label": targets.target_kind(kind).label(ref)},
                  status=422 if form.errors else 200)


@login_required
@domain_errors
def pledge_signed(request, pledge_id):
    """Back from the provider's agreement page: confirm what the donor decided."""
    pledge = services.pledge_agreement_confirm(pledge=access_pledge(user=request.user, pledge_id=pledge_id))
    if pledge.agreement_status == "active":
        messages.success(request, _("Thank you! Your monthly gift is set up; the first is charged on %(date)s.")
                         % {"date": pledge.next_charge_on})
    elif pledge.agreement_status == "pending":
        messages.info(request, _("The payments are not authorised yet."))
    else:
        messages.warning(request, _("The payments were not authorised, so the monthly gift is cancelled."))
    return redirect("giving:mine")


ACTIONS = {"pause": "paused", "resume": "active", "cancel": "cancelled"}


@login_required
@require_POST
@domain_errors
def pledge_action(request, pledge_id):
    """One click from "my giving": pause, resume, cancel, a new amount, or move to the cause fund."""
    pledge = access_pledge(user=request.user, pledge_id=pledge_id)
    action = request.POST.get("action", "")
    try:
        if action in ACTIONS:
            services.pledge_update(pledge=pledge, actor=request.user, status=ACTIONS[action])
        elif action == "amount":
            form = AmountForm(request.POST)
            if not form.is_valid():
                raise DomainError(" ".join(e for errors in form.errors.values() for e in errors))
            services.pledge_update(pledge=pledge, actor=request.user, amount=form.cleaned_data["amount"])
        elif action == "move_to_fund":
            services.pledge_update(pledge=pledge, actor=request.user, move_to_fund=True, status="active")
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Your monthly gift is updated."))
    return redirect("giving:mine")


@login_required
@require_safe
def annual_receipt(request, year: int):
    """The member's consolidated receipt for a calendar year: every paid gift, one-off and
    monthly, print-ready (the browser prints the PDF)."""
    gifts = selectors.annual_gifts(user=request.user, year=year)
    total = {}
    for gift in gifts:
        total[gift.currency] = total.get(gift.currency, 0) + gift.amount - gift.refunded_amount
    return render(request, "pledges/annual_receipt.html", {
        "year": year, "gifts": gifts, "totals": sorted(total.items()), "member": request.user, "issued": timezone.localdate(),
    })
