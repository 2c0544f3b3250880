"""Writes of sponsorship's money side: the programme, beneficiaries, a sponsorship and its
months, the earmark of each paid month in the journal, and what leaves a sponsorship's
account (paid out with a voucher, refunded or redirected by the donor's choice).

Every month is an ordinary gift to the organisation's programme project, opened through
`giving.services.donation_open` with `context={"sponsorship": id}` (by the first-month
charge here, by `sponsorships_charge_due` until monthly pledges exist, then by the pledge).
When giving announces it paid, `on_gift_paid` (in that transaction) moves its money from
the project's fund to the sponsorship's own account: a `commitment` entry, so it is never
"available" to the rest of the project. Money leaves that account only by a `release`
entry back to the fund, followed in the same transaction by what uses it (an expenditure
with its voucher, a refund), or left in the fund by the donor's choice (redirect).

Lock order everywhere: the project's fund lock, then the beneficiary, then the sponsorship,
then a payment.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core import events
from jusha.core.audit import audit_record
from jusha.core.client import ClientContext
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.money import Money, require_money, require_positive
from jusha.core.statemachine import SYSTEM
from jusha.giving.models import Donation
from jusha.giving.selectors import donation_fees
from jusha.giving.services import donation_open
from jusha.ledger.models import Account, JournalEntry
from jusha.ledger.services import entry_post, expenditure_record, project_fund_account, project_funds_lock
from jusha.organisations.permissions import roles_for
from jusha.pledges import follow as pledge_follow
from jusha.pledges.models import Pledge
from jusha.projects.regions import COUNTIES
from jusha.sponsorship import pledging, rules, states
from jusha.sponsorship.models import Beneficiary, Outflow, Payment, Programme, Sponsorship
from jusha.transparency.services import fact_queue

logger = logging.getLogger(__name__)

MAX_MONTHS = 72


def today() -> date:
    return timezone.localdate()


def _roles(actor, organisation) -> set[str]:
    return {SYSTEM} if actor is None else roles_for(actor, organisation)


def _require(actor, organisation, allowed, message: str) -> set[str]:
    roles = _roles(actor, organisation)
    if not roles & set(allowed):
        raise Forbidden(message, code="not_allowed")
    return roles


# --- the programme and its beneficiaries ------------------------------------------------------

@transaction.atomic
def programme_set(*, organisation, project, actor, sponsors_per_beneficiary: int = 1, report_every_days: int = 90,
                  lost_contact_after_days: int = 30) -> Programme:
    """The organisation's programme: its sponsors' gifts are paid to `project` (one of its
    own), each beneficiary takes up to `sponsors_per_beneficiary` sponsors."""
    _require(actor, organisation, {states.OWNER, states.STAFF}, _("Only the organisation's owners can set up its sponsorship programme."))
    if project.organisation_id != organisation.pk:
        raise Invalid(_("The programme's project must be one of the organisation's own."), code="project_mismatch")
    if not 1 <= int(sponsors_per_beneficiary) <= 5:
        raise Invalid(_("A beneficiary may have one to five sponsors."), code="group_cap")
    if not 14 <= int(report_every_days) <= 366 or not 7 <= int(lost_contact_after_days) <= 180:
        raise Invalid(_("Reports are due every 14 to 366 days; contact counts as lost 7 to 180 days after one is late."), code="schedule")
    programme, _created = Programme.objects.update_or_create(
        organisation=organisation,
        defaults={"project": project, "sponsors_per_beneficiary": sponsors_per_beneficiary,
                  "report_every_days": report_every_days, "lost_contact_after_days": lost_contact_after_days},
    )
    audit_record(actor=actor, action="sponsorship.programme_set", target=programme,
                 data={"project": project.pk, "cap": sponsors_per_beneficiary})
    return programme


@transaction.atomic
def beneficiary_create(*, programme, actor, legal_name: str, guardian_name: str, guardian_consent_on, alias: str,
                       birth_year: int, region_code: str, stage: str, need: str, guardian_consent_note: str = "",
                       photo_consent: bool = False) -> Beneficiary:
    """Record a beneficiary with the guardian's consent (no consent, no record)."""
    _require(actor, programme.organisation, states.CARERS, _("Only the organisation's owners and editors hold beneficiaries' records."))
    fields = {"legal_name": (legal_name or "").strip(), "guardian_name": (guardian_name or "").strip(),
              "alias": (alias or "").strip(), "need": (need or "").strip()}
    if not all(fields.values()):
        raise Invalid(_("Legal name, guardian, alias and need are all required."), code="fields_required")
    if not guardian_consent_on:
        raise Invalid(_("Record when the guardian consented: no record is kept without consent."), code="consent_required")
    if region_code not in COUNTIES:
        raise Invalid(_("Choose the beneficiary's county."), code="region_unknown")
    if stage not in Beneficiary.Stage.values:
        raise Invalid(_("Choose a school stage."), code="stage_unknown")
    if rules.find_contact_details(fields["alias"] + " " + fields["need"]):
        raise Invalid(_("The alias and need are public: they must not hold contact details."), code="contact_details")
    if fields["alias"] == fields["legal_name"]:
        raise Invalid(_("The alias must not be the legal name."), code="alias_is_name")
    beneficiary = Beneficiary.objects.create(
        programme=programme, guardian_consent_on=guardian_consent_on, guardian_consent_note=(guardian_consent_note or "")[:280],
        photo_consent=bool(photo_consent), birth_year=int(birth_year), region_code=region_code, stage=stage,
        status_changed_at=timezone.now(), **fields,
    )
    audit_record(actor=actor, action="sponsorship.beneficiary_create", target=beneficiary)
    return beneficiary


def beneficiary_private_viewed(*, beneficiary, actor, where: str) -> None:
    """Every view of a private record leaves an audit row (the caller's transaction or its own)."""
    audit_record(actor=actor, action="sponsorship.beneficiary_view", target=beneficiary, data={"where": where})


def _set_beneficiary(beneficiary: Beneficiary, target: str, roles) -> None:
    if beneficiary.status == target:
        return
    states.check(states.BENEFICIARY, beneficiary.status, target, roles)
    beneficiary.status = target
    beneficiary.status_changed_at = timezone.now()
    beneficiary.save(update_fields=["status", "status_changed_at"])


def _set_sponsorship(sponsorship: Sponsorship, target: str, roles, **fields) -> None:
    states.check(states.SPONSORSHIP, sponsorship.status, target, roles)
    source = sponsorship.status
    sponsorship.status = target
    sponsorship.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(sponsorship, name, value)
    sponsorship.save(update_fields=["status", "status_changed_at", *fields])
    _pledge_follows(sponsorship, source, target)


def _pledge_follows(sponsorship: Sponsorship, source: str, target: str) -> None:
    """The monthly pledge follows its sponsorship, in the same transaction: paused while it
    is paused, resumed when the donor carries on, cancelled when it ends."""
    ref = str(sponsorship.pk)
    if target == Sponsorship.Status.PAUSED:
        pledge_follow.target_pledges_pause(kind=pledging.KIND, ref=ref, reason="the sponsorship is paused")
    elif target == Sponsorship.Status.ACTIVE and source == Sponsorship.Status.PAUSED:
        pledge_follow.target_pledges_resume(kind=pledging.KIND, ref=ref)
    elif target in (Sponsorship.Status.ENDED, Sponsorship.Status.COMPLETED, Sponsorship.Status.CANCELLED):
        pledge_follow.target_pledges_cancel(kind=pledging.KIND, ref=ref, reason=f"the sponsorship is {target}")


def _holding(beneficiary) -> int:
    return Sponsorship.objects.filter(beneficiary=beneficiary, status__in=Sponsorship.HOLDING).count()


def _beneficiary_follows(beneficiary: Beneficiary) -> None:
    """The beneficiary's status after one of its sponsorships changed: sponsored while any
    holds a place and none is paused, paused while one is, waiting when none is left."""
    if beneficiary.status in (Beneficiary.Status.GRADUATED, Beneficiary.Status.WITHDRAWN):
        return
    statuses = set(Sponsorship.objects.filter(beneficiary=beneficiary, status__in=Sponsorship.HOLDING).values_list("status", flat=True))
    if Sponsorship.Status.PAUSED in statuses:
        target = Beneficiary.Status.PAUSED
    elif statuses:
        target = Beneficiary.Status.SPONSORED
    else:
        target = Beneficiary.Status.WAITING
    _set_beneficiary(beneficiary, target, {SYSTEM})


# --- a new sponsorship and its first month ----------------------------------------------------

def _checked_terms(*, beneficiary, amount: Money, months: int, purpose: str) -> None:
    project = beneficiary.programme.project
    require_money(amount)
    require_positive(amount, currency=project.currency, message=_("The monthly amount must be more than zero."))
    least = Money(1000, amount.currency)
    if amount < least:
        raise Invalid(_("The monthly amount must be at least %(least)s.") % {"least": least.display()}, code="amount_too_small")
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise Invalid(_("A term is 1 to 72 months."), code="months_invalid")
    if purpose not in Sponsorship.Purpose.values:
        raise Invalid(_("Choose what the money is for."), code="purpose_unknown")


@transaction.atomic
def _place_take(*, beneficiary, donor, amount: Money, months: int, purpose: str, renewed_from=None) -> Sponsorship:
    """Take a place among the beneficiary's sponsors, under the beneficiary's row lock (and
    the database's one-per-place constraint if anything ever slips past it)."""
    beneficiary = Beneficiary.objects.select_for_update().select_related("programme__project").get(pk=beneficiary.pk)
    if beneficiary.status not in (Beneficiary.Status.WAITING, Beneficiary.Status.SPONSORED):
        raise Conflict(_("This student is not waiting for a sponsor."), code="not_waiting")
    cap = beneficiary.programme.sponsors_per_beneficiary
    holding = Sponsorship.objects.filter(beneficiary=beneficiary, status__in=Sponsorship.HOLDING)
    if holding.filter(donor=donor).exclude(pk=getattr(renewed_from, "pk", None)).exists():
        raise Conflict(_("You already sponsor this student."), code="already_sponsoring")
    taken = set(holding.values_list("slot", flat=True))
    free = [slot for slot in range(1, cap + 1) if slot not in taken]
    if not free:
        raise Conflict(_("Another donor has just taken the last place for this student. Please choose another student."),
                       code="no_place_left")
    try:
        with transaction.atomic():
            sponsorship = Sponsorship.objects.create(
                programme=beneficiary.programme, beneficiary=beneficiary, donor=donor, slot=free[0], purpose=purpose,
                amount=amount.amount, currency=amount.currency, months=months, starts_on=today(),
                status_changed_at=timezone.now(), renewed_from=renewed_from,
            )
    except IntegrityError as exc:
        raise Conflict(_("Another donor has just taken the last place for this student. Please choose another student."),
                       code="no_place_left") from exc
    _beneficiary_follows(beneficiary)
    audit_record(actor=donor, action="sponsorship.create", target=sponsorship, data={"amount": amount.amount, "months": months})
    return sponsorship


def sponsorship_create(*, beneficiary, donor, amount: Money, months: int, client, purpose: str = Sponsorship.Purpose.BOTH,
                       renewed_from=None, within=None) -> tuple[Sponsorship, Donation, str]:
    """A member sponsors a waiting beneficiary: the place is taken at once (pending), the
    monthly pledge that pays the later months is set up (the donor authorises it once at
    the provider: `pledging.pledge_open`), and the first month is opened as an ordinary
    gift to the programme project (the donor is sent to pay it). A place whose first month
    is never paid is given back (`sponsorships_settle_pending`), its pledge cancelled.
    `within(sponsorship, donation, token)` runs in the transaction that saves the gift
    (the API stores its idempotent answer there)."""
    if not getattr(donor, "is_authenticated", False):
        raise Forbidden(_("Sign in to sponsor a student."), code="sign_in")
    _checked_terms(beneficiary=beneficiary, amount=amount, months=months, purpose=purpose)
    sponsorship = _place_take(beneficiary=beneficiary, donor=donor, amount=amount, months=months, purpose=purpose,
                              renewed_from=renewed_from)
    try:
        pledging.pledge_open(sponsorship, return_url=reverse("sponsorship:mine", args=[sponsorship.pk]))
        donation, token = _month_open(sponsorship, client=client, within=within)
    except Exception:
        _cancel_pending(sponsorship.pk, reason="the first month could not be opened")
        raise
    return sponsorship, donation, token


def sponsorship_renew(*, sponsorship, actor, months: int, client, within=None) -> tuple[Sponsorship, Donation, str]:
    """The donor renews a completed term for the same student, at the same monthly amount
    (a new sponsorship with its own pledge). Only the sponsor, only a completed term, only
    for a student still in school with a place (`_place_take` holds that under its lock)."""
    if actor is None or sponsorship.donor_id != actor.pk:
        raise Forbidden(_("Only the sponsor renews a sponsorship."), code="not_sponsor")
    if sponsorship.status != Sponsorship.Status.COMPLETED or sponsorship.outcome == Sponsorship.Outcome.GRADUATED:
        raise Conflict(_("Only a completed term of a student still in school can be renewed."), code="not_renewable")
    return sponsorship_create(beneficiary=sponsorship.beneficiary, donor=actor, amount=sponsorship.monthly, months=months,
                              client=client, purpose=sponsorship.purpose, renewed_from=sponsorship, within=within)


def _month_open(sponsorship: Sponsorship, *, client, within=None, on: date | None = None) -> tuple[Donation, str]:
    terms = pledging.charge_terms(sponsorship.pk, on=on)
    return donation_open(
        project=terms.project, amount=terms.amount, client=client, donor=terms.donor, context=terms.context,
        message="", within=(lambda d, t: within(sponsorship, d, t)) if within else None,
    )


@transaction.atomic
def _cancel_pending(sponsorship_id, *, reason: str) -> bool:
    sponsorship = Sponsorship.objects.select_for_update().filter(pk=sponsorship_id, status=Sponsorship.Status.PENDING).first()
    if sponsorship is None:
        return False
    beneficiary = Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id)
    _set_sponsorship(sponsorship, Sponsorship.Status.CANCELLED, {SYSTEM}, outcome_note=reason[:500])
    Payment.objects.filter(sponsorship=sponsorship, status=Payment.Status.PENDING).update(status=Payment.Status.FAILED)
    _beneficiary_follows(beneficiary)
    return True


# --- the gift path (subscribers of core.events, in giving's transaction) ------------------------

def on_gift_opened(opened) -> None:
    """A gift opened with `context={"sponsorship": id}` is one of that sponsorship's months."""
    sponsorship_id = (opened.context or {}).get("sponsorship")
    if not sponsorship_id:
        return
    sponsorship = Sponsorship.objects.filter(pk=sponsorship_id).first()
    if sponsorship is None or opened.donation.project_id != sponsorship.programme.project_id:
        raise Invalid(_("This gift is not for a sponsorship of this programme."), code="sponsorship_mismatch")
    Payment.objects.create(sponsorship=sponsorship, donation=opened.donation)


def sponsorship_account(sponsorship: Sponsorship) -> Account:
    """Liability: what the organisation holds for this one sponsorship (credit-normal)."""
    project = sponsorship.programme.project
    key = sponsorship.account_key
    account = Account.objects.filter(key=key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                key=key, kind=Account.Kind.LIABILITY, currency=sponsorship.currency, organisation_id=project.organisation_id,
                project=project, name=f"Sponsorship {sponsorship.pk} of {sponsorship.beneficiary.alias}"[:160],
            )
    except IntegrityError:
        return Account.objects.get(key=key)


def _public(of: Sponsorship, /, **more) -> dict:
    """A public fact's fields: the sponsorship, the beneficiary's alias and county, nothing finer."""
    beneficiary = of.beneficiary
    return {"id": str(of.pk), "project": of.programme.project.slug, "alias": beneficiary.alias,
            "county": rules.county_of(beneficiary.region_code), **more}


def on_gift_paid(paid) -> None:
    """A month's gift is paid: earmark it to the sponsorship's account and record the month.
    A gift that arrives when the sponsorship can take no more (paused, ended, its term paid
    up, or an overflow of the project) is not earmarked and is refunded after commit, so no
    money is left without a purpose."""
    donation = paid.donation
    batch = events.batch_state()
    if batch is not None and "gifts" in batch:  # a settler's batch: which of its gifts pay a month, read once
        if "sponsorship.payments" not in batch:
            batch["sponsorship.payments"] = set(
                Payment.objects.filter(donation_id__in=[g.pk for g in batch["gifts"]]).values_list("donation_id", flat=True))
        if donation.pk not in batch["sponsorship.payments"]:
            return
    payment = Payment.objects.select_for_update().filter(donation_id=donation.pk).first()
    if payment is None or payment.status == Payment.Status.PAID:
        return
    sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=payment.sponsorship_id)
    takes = sponsorship.status in (Sponsorship.Status.PENDING, Sponsorship.Status.ACTIVE) and sponsorship.paid_through < sponsorship.months
    if paid.overflow or not takes:
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status"])
        donation_id = str(donation.pk)
        from jusha.sponsorship import tasks

        transaction.on_commit(lambda: tasks.refund_unplaced.enqueue(donation_id))
        return
    project = sponsorship.programme.project
    amount = Money(donation.amount, donation.currency)
    # What the provider kept of the gift (journalled by giving just before, on the project's
    # fund) is the month's own cost: the month is earmarked net of it, so the fee never
    # comes out of the programme's general money and the donor's page shows it apart.
    fee = min(donation_fees([donation.pk]).get(str(donation.pk), 0), amount.amount)
    if amount.amount - fee > 0:
        net = Money(amount.amount - fee, amount.currency)
        entry_post(
            kind=JournalEntry.Kind.COMMITMENT, reference=f"sponsorship:{donation.pk}", project=project,
            lines=[(project_fund_account(project), net), (sponsorship_account(sponsorship), -net)],
            memo=f"sponsorship {sponsorship.beneficiary.alias} month {sponsorship.paid_through + 1}",
        )
    period = sponsorship.paid_through + 1
    payment.status, payment.period, payment.paid_at = Payment.Status.PAID, period, timezone.now()
    payment.earmarked, payment.fee = amount.amount, fee
    payment.save(update_fields=["status", "period", "earmarked", "fee", "paid_at"])
    fields = {"paid_through": period}
    if sponsorship.status == Sponsorship.Status.PENDING:
        fields["next_report_due"] = rules.next_report_due(today(), sponsorship.programme.report_every_days)
        _set_sponsorship(sponsorship, Sponsorship.Status.ACTIVE, {SYSTEM}, **fields)
        beneficiary = Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id)
        _beneficiary_follows(beneficiary)
    else:
        sponsorship.paid_through = period
        sponsorship.save(update_fields=["paid_through"])
    if period >= sponsorship.months:  # the term is paid up: its pledge has nothing more to charge
        pledge_follow.target_pledges_cancel(kind=pledging.KIND, ref=str(sponsorship.pk), reason="every month of the term is paid")
    fact_queue(kind="sponsorship_month", public=_public(
        sponsorship, id=f"{sponsorship.pk}:{period}", sponsorship=str(sponsorship.pk), month=period, months=sponsorship.months,
        amount=amount.amount, currency=amount.currency, donation=str(donation.pk),
    ))


def _release(sponsorship: Sponsorship, amount: Money, *, reference: str, memo: str, actor=None) -> JournalEntry:
    project = sponsorship.programme.project
    return entry_post(
        kind=JournalEntry.Kind.RELEASE, reference=reference, project=project,
        lines=[(sponsorship_account(sponsorship), amount), (project_fund_account(project), -amount)],
        memo=memo, actor=actor,
    )


# --- figures -------------------------------------------------------------------------------

def sponsorship_figures(sponsorship: Sponsorship) -> rules.Figures:
    """Paid in, paid out, redirected and held, to the fen, from the rows the journal entries
    were written with (`ledger_check` holds the account's balance equal to `held`)."""
    paid = Payment.objects.filter(sponsorship=sponsorship).aggregate(e=Sum("earmarked"), r=Sum("refunded"), f=Sum("fee"))
    out = dict(Outflow.objects.filter(sponsorship=sponsorship).exclude(kind=Outflow.Kind.REFUNDED)
               .values_list("kind").annotate(total=Sum("amount")).order_by())
    return rules.figures(
        earmarked=paid["e"] or 0, refunded=paid["r"] or 0, fee=paid["f"] or 0,
        disbursed=out.get(Outflow.Kind.SCHOOL, 0) + out.get(Outflow.Kind.GUARDIAN, 0),
        redirected=out.get(Outflow.Kind.REDIRECTED, 0),
    )


# --- paying out -----------------------------------------------------------------------------

@transaction.atomic
def disbursement_record(*, sponsorship, actor, payee: str, amount: Money, description: str, spent_on, voucher,
                        budget_line=None) -> Outflow:
    """Finance pays the school or the guardian from what this sponsorship holds, with its
    voucher: a release from the sponsorship's account and the expenditure that uses it, in
    one transaction. Never more than the account holds."""
    project = sponsorship.programme.project
    _require(actor, project.organisation, states.PAYERS, _("Only the organisation's finance members can pay out."))
    if payee not in (Outflow.Kind.SCHOOL, Outflow.Kind.GUARDIAN):
        raise Invalid(_("Pay the school or the guardian."), code="payee_unknown")
    require_positive(amount, currency=sponsorship.currency, message=_("The amount must be more than zero."))
    project_funds_lock(project)
    sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=sponsorship.pk)
    held = sponsorship_figures(sponsorship).held
    if amount.amount > held:
        raise Conflict(_("This sponsorship holds %(held)s: you cannot pay out more.") % {"held": Money(held, sponsorship.currency).display()},
                       code="exceeds_held", extra={"held": held})
    budget_line = budget_line or project.budget_lines.order_by("position", "id").first()
    if budget_line is None:
        raise Conflict(_("The programme project needs a budget line to record payments against."), code="no_budget_line")
    outflow = Outflow.objects.create(sponsorship=sponsorship, kind=payee, amount=amount.amount, currency=amount.currency,
                                     note=(description or "")[:280], created_by=actor)
    _release(sponsorship, amount, reference=f"sponsorship-out:{outflow.pk}", memo=description[:200], actor=actor)
    expenditure = expenditure_record(project=project, budget_line=budget_line, amount=amount, description=description,
                                     spent_on=spent_on, voucher=voucher, actor=actor)
    outflow.expenditure = expenditure
    outflow.save(update_fields=["expenditure"])
    fact_queue(kind="sponsorship_disbursement", public=_public(
        sponsorship, id=f"out:{outflow.pk}", sponsorship=str(sponsorship.pk), payee=payee, amount=amount.amount,
        currency=amount.currency, expenditure=str(expenditure.pk),
    ))
    return outflow


# --- the worker: months due, first months never paid --------------------------------------------

def sponsorships_charge_due(*, on: date | None = None) -> int:
    """Open the gift of every month now due (one per sponsorship per run) of the active
    sponsorships that no authorised monthly pledge pays (the provider offers no saved
    agreements, or the donor has not authorised or has cancelled theirs): the donor is
    told and pays on their page. A pledge-paid sponsorship is never charged here too.
    Returns how many."""
    from jusha.sponsorship import tasks

    on = on or today()
    opened = 0
    paid_by_pledge = set(Pledge.objects.filter(
        target_kind=pledging.KIND, status__in=[Pledge.Status.ACTIVE, Pledge.Status.PAUSED],
        agreement_status=Pledge.AgreementStatus.ACTIVE,
    ).values_list("target_ref", flat=True))
    for sponsorship in Sponsorship.objects.filter(status=Sponsorship.Status.ACTIVE).select_related("programme"):
        if str(sponsorship.pk) in paid_by_pledge:
            continue
        due = rules.months_due(start=sponsorship.starts_on, months=sponsorship.months, paid_through=sponsorship.paid_through, today=on)
        if not due or Payment.objects.filter(sponsorship=sponsorship, status=Payment.Status.PENDING).exists():
            continue
        try:
            donation, _token = _month_open(sponsorship, client=ClientContext(), on=on)
        except Conflict as exc:
            logger.info("sponsorship %s not charged: %s", sponsorship.pk, exc.code)
            continue
        except Exception:  # noqa: BLE001 - one sponsorship must not stop the run
            logger.exception("could not open the month of sponsorship %s", sponsorship.pk)
            continue
        opened += 1
        transaction.on_commit(lambda d=str(donation.pk): tasks.tell_month_due.enqueue(d))
    return opened


def sponsorships_settle_pending() -> int:
    """Months whose gift failed or expired are marked not paid; a sponsorship whose first
    month was never paid gives its place back. Returns how many places were given back."""
    ended = (Donation.Status.FAILED, Donation.Status.EXPIRED)
    stale = list(Payment.objects.filter(status=Payment.Status.PENDING, donation__status__in=ended)
                 .values_list("pk", "sponsorship_id"))
    freed = 0
    for payment_id, sponsorship_id in stale:
        Payment.objects.filter(pk=payment_id, status=Payment.Status.PENDING).update(status=Payment.Status.FAILED)
        if not Payment.objects.filter(sponsorship_id=sponsorship_id, status__in=[Payment.Status.PENDING, Payment.Status.PAID]).exists():
            freed += _cancel_pending(sponsorship_id, reason="the first month was not paid")
    return freed


def failed_months_in_a_row(sponsorship, on: date | None = None) -> int:
    """How many months in a row are due and still not paid, past the days a charge is
    retried (the donor is asked to check their payment after the first; the sponsorship
    pauses after `rules.UNPAID_MONTHS_PAUSE`)."""
    if sponsorship.status != Sponsorship.Status.ACTIVE:
        return 0
    return rules.months_unpaid(start=sponsorship.starts_on, months=sponsorship.months,
                               paid_through=sponsorship.paid_through, today=on or today())


def sponsorships_check_payments(*, on: date | None = None) -> int:
    """Periodic: a sponsorship whose payments have failed for three months in a row pauses
    (its pledge too), and the donor is told kindly and chooses: carry on (payments resume;
    the months missed are not charged) or end, with what is held refunded or given to the
    programme. Nothing is earmarked for a month not paid, so nothing is lost meanwhile.
    Returns how many paused."""
    on = on or today()
    paused = 0
    for sponsorship_id in list(Sponsorship.objects.filter(status=Sponsorship.Status.ACTIVE).values_list("pk", flat=True)):
        with transaction.atomic():
            sponsorship = (Sponsorship.objects.select_for_update().select_related("programme", "beneficiary")
                           .filter(pk=sponsorship_id, status=Sponsorship.Status.ACTIVE).first())
            if sponsorship is None or failed_months_in_a_row(sponsorship, on) < rules.UNPAID_MONTHS_PAUSE:
                continue
            _set_sponsorship(sponsorship, Sponsorship.Status.PAUSED, {SYSTEM})
            _beneficiary_follows(Beneficiary.objects.select_for_update().get(pk=sponsorship.beneficiary_id))
            audit_record(actor=None, action="sponsorship.payments_failed", target=sponsorship,
                         data={"unpaid_months": rules.UNPAID_MONTHS_PAUSE})
            from jusha.sponsorship import tasks

            transaction.on_commit(lambda s=str(sponsorship.pk): tasks.tell_donor.enqueue(s, "payments_failed"))
            paused += 1
    return paused
