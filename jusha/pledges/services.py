"""Every write of monthly giving's pledges: create, authorise, pause, resume, change amount,
cancel, move to the cause fund. The monthly charge run (the worker's schedule, retries,
time-outs) is in `charging.py`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Invalid, NotFound
from jusha.core.money import Money, require_currency, require_money, require_positive
from jusha.core.statemachine import SYSTEM
from jusha.funds.selectors import fund_for_cause
from jusha.giving import services as giving
from jusha.payments.providers import default_provider_name, get_provider
from jusha.pledges import rules, targets, tasks
from jusha.pledges.models import Pledge, PledgeChange
from jusha.pledges.states import PLEDGE, PLEDGER

logger = logging.getLogger("jusha.pledges")


# --- pledges ------------------------------------------------------------------------------

def _check_amount(amount: Money) -> None:
    require_currency(require_money(amount).currency)
    require_positive(
        amount, message=_("The amount must be more than zero."),
        at_least=Money(settings.JUSHA_PLEDGE_MIN, amount.currency), small_code="amount_too_small",
        small_message=_("The monthly amount is below the smallest monthly gift."),
        at_most=Money(settings.JUSHA_PLEDGE_MAX, amount.currency), large_code="amount_too_large",
        large_message=_("The monthly amount is above the largest monthly gift this site accepts."),
    )


def _check_day(day) -> int:
    if isinstance(day, bool) or not isinstance(day, int) or not rules.MIN_DAY <= day <= rules.MAX_DAY:
        raise Invalid(_("Choose a day of the month from 1 to 28."), code="invalid_day")
    return day


def _target_project(kind: str, ref: str):
    """The project a new charge of this target goes to, taking gifts now: Conflict (with the
    cause fund offered, and alternatives) if it does not."""
    project = targets.target_kind(kind).resolve(ref)
    accepting, code, reason = giving.project_accepting(project)
    if not accepting:
        fund = fund_for_cause(project.cause) if not project.pooled else None
        extra = giving.refusal_extra(project)
        extra["fund"] = {"cause": fund.cause, "project": fund.project.slug} if fund else None
        raise Conflict(reason, code=code, extra=extra)
    return project


def pledge_create(*, donor, amount: Money, day, kind: str, ref: str, return_url=None, within=None) -> Pledge:
    """A member's monthly pledge, active at once, charged from the first `day` after the donor
    authorises the saved payment agreement on the provider's page (`signing_url`). The
    provider is asked for the agreement first, outside any transaction of ours (an agreement
    never saved is never shown and never authorised). `return_url(pledge)`: where the
    provider's page sends the donor back to; `within(pledge)` runs in the transaction that
    saves it (the edge stores its idempotent answer there)."""
    if not getattr(donor, "is_authenticated", False):
        raise Invalid(_("Monthly giving needs an account."), code="login_required")
    _check_amount(amount)
    day = _check_day(day)
    project = _target_project(kind, ref)
    if amount.currency != project.currency:
        raise Invalid(_("This project takes gifts in %(currency)s.") % {"currency": project.currency}, code="invalid_currency")
    provider_name = default_provider_name()
    provider = get_provider(provider_name)
    if not getattr(provider, "agreements", False):
        raise Conflict(_("The payment provider offers no monthly payments."), code="provider_no_agreements")
    pledge = Pledge(donor=donor, amount=amount.amount, currency=amount.currency, day=day, target_kind=kind, target_ref=ref,
                    project=project, provider=provider_name)
    agreement = provider.agreement_create(
        reference=str(pledge.pk), description=_("Monthly gift of %(amount)s to “%(title)s”") % {
            "amount": amount.display(), "title": project.title},
        return_url=return_url(pledge) if return_url else "",
    )
    pledge.agreement_id, pledge.signing_url = agreement.agreement_id, agreement.signing_url
    with transaction.atomic():
        pledge.save(force_insert=True)
        PledgeChange.objects.create(pledge=pledge, source="", target=Pledge.Status.ACTIVE, amount_after=pledge.amount,
                                    reason="created", actor=donor)
        if within is not None:
            within(pledge)
    return pledge


def pledge_agreement_confirm(*, pledge: Pledge, today=None) -> Pledge:
    """Back from the provider's page (or asked again later): an authorised agreement sets
    the first charge date; a declined one cancels the pledge (nothing was ever charged)."""
    if pledge.agreement_status != Pledge.AgreementStatus.PENDING:
        return pledge
    state = get_provider(pledge.provider).agreement_status(pledge.agreement_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if pledge.agreement_status != Pledge.AgreementStatus.PENDING:
            return pledge
        if state == "active":
            pledge.agreement_status = Pledge.AgreementStatus.ACTIVE
            pledge.next_charge_on = rules.first_charge_date(today=today, day=pledge.day)
            pledge.save(update_fields=["agreement_status", "next_charge_on"])
        elif state in ("declined", "revoked"):
            pledge.agreement_status = state
            pledge.save(update_fields=["agreement_status"])
            if pledge.status != Pledge.Status.CANCELLED:
                _move(pledge, Pledge.Status.CANCELLED, roles={SYSTEM}, reason="agreement declined")
    return pledge


def _move(pledge: Pledge, target: str, *, roles, actor=None, reason: str = "", pause_reason: str = "") -> None:
    """Change a locked pledge's status by the table, with its PledgeChange row."""
    PLEDGE.check(pledge.status, target, roles)
    PledgeChange.objects.create(pledge=pledge, source=pledge.status, target=target, reason=reason[:200],
                                actor=actor if getattr(actor, "is_authenticated", False) else None)
    pledge.status = target
    pledge.pause_reason = pause_reason if target == Pledge.Status.PAUSED else ""
    fields = ["status", "pause_reason"]
    if target == Pledge.Status.CANCELLED:
        pledge.cancelled_at = timezone.now()
        pledge.next_charge_on = None
        fields += ["cancelled_at", "next_charge_on"]
    pledge.save(update_fields=fields)


def pledge_update(*, pledge: Pledge, actor, status: str | None = None, amount: Money | None = None,
                  move_to_fund: bool = False, today=None) -> Pledge:
    """The donor's one-click changes: pause, resume, cancel, a new amount, or (their consent)
    moving a pledge whose project closed to the cause's fund. Refused: nothing changed."""
    if status is not None and status not in Pledge.Status.values:
        raise Invalid(_("The status must be active, paused or cancelled."), code="invalid_status")
    if amount is not None:
        _check_amount(amount)
        if amount.currency != pledge.currency:
            raise Invalid(_("A pledge keeps its currency."), code="invalid_currency")
    today = today or timezone.localdate()
    revoke = False
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("project").get(pk=pledge.pk)
        roles = {PLEDGER} if actor is not None and actor.pk == pledge.donor_id else ({"staff"} if getattr(actor, "is_staff", False) else set())
        if not roles:
            raise NotFound(_("There is no such pledge."), code="not_found")
        if pledge.status == Pledge.Status.CANCELLED and (status not in (None, Pledge.Status.CANCELLED) or amount or move_to_fund):
            raise Conflict(_("This pledge is cancelled: start a new one instead."), code="pledge_cancelled")
        if move_to_fund:
            _move_to_fund(pledge, actor=actor)
        if amount is not None and amount.amount != pledge.amount:
            PledgeChange.objects.create(pledge=pledge, source=pledge.status, target=pledge.status, amount_before=pledge.amount,
                                        amount_after=amount.amount, reason="amount changed", actor=actor)
            pledge.amount = amount.amount
            pledge.save(update_fields=["amount"])
        if status is not None and status != pledge.status:
            if status == Pledge.Status.ACTIVE:
                _check_resumable(pledge)
            _move(pledge, status, roles=roles, actor=actor, reason="by the donor" if PLEDGER in roles else "by staff",
                  pause_reason=Pledge.PauseReason.DONOR)
            if status == Pledge.Status.ACTIVE and pledge.agreement_status == Pledge.AgreementStatus.ACTIVE:
                next_on = pledge.next_charge_on or rules.first_charge_date(today=today, day=pledge.day)
                pledge.next_charge_on = rules.catch_up(scheduled=next_on, day=pledge.day, today=today)
                pledge.save(update_fields=["next_charge_on"])
            revoke = status == Pledge.Status.CANCELLED
        if "staff" in roles:
            audit_record(actor=actor, action="pledge.update", target=pledge, data={"status": status})
    if revoke and pledge.agreement_id:
        try:
            get_provider(pledge.provider).agreement_revoke(pledge.agreement_id)
        except Exception:  # noqa: BLE001 - cancelled here either way: no charge is ever made for it
            logger.exception("could not revoke agreement of pledge %s", pledge.pk)
    return pledge


def _check_resumable(pledge: Pledge) -> None:
    """A pledge paused because its project closed resumes only to a target taking gifts:
    otherwise the donor's consent to move it to the cause fund is needed."""
    project = targets.target_kind(pledge.target_kind).resolve(pledge.target_ref)
    accepting, _code, reason = giving.project_accepting(project)
    if not accepting:
        fund = fund_for_cause(project.cause)
        raise Conflict(
            _("%(reason)s Move the pledge to the cause fund (your consent is needed) or cancel it.") % {"reason": reason},
            code="consent_required",
            extra={"fund": {"cause": fund.cause, "project": fund.project.slug} if fund else None},
        )


def _move_to_fund(pledge: Pledge, *, actor) -> None:
    if pledge.target_kind == "cause":
        raise Conflict(_("This pledge already goes to a cause fund."), code="already_fund")
    fund = fund_for_cause(pledge.project.cause)
    if fund is None:
        raise Conflict(_("This cause has no fund yet."), code="no_fund")
    before = f"{pledge.target_kind}:{pledge.target_ref}"
    pledge.target_kind, pledge.target_ref, pledge.project = "cause", fund.cause, fund.project
    pledge.save(update_fields=["target_kind", "target_ref", "project"])
    PledgeChange.objects.create(pledge=pledge, source=pledge.status, target=pledge.status,
                                reason=f"moved from {before} to the {fund.cause} fund with the donor's consent", actor=actor)


def _mail(pledge: Pledge, kind: str, context: dict) -> None:
    pledge_id = str(pledge.pk)
    transaction.on_commit(lambda: tasks.send_pledge_mail.enqueue(pledge_id, kind, context))
