"""Money going back out of a sponsorship other than by a payment out: refunds (the donor's
choice, or made on a month's gift elsewhere), a redirect to the programme, and what a
payment provider keeps of each month when that changes after it was paid (a statement's fee,
a fee given back with a refund). Subscribers of giving's gift_refunded and gift_fee_changed
run in giving's transaction. Lock order as in `services`: the project's fund lock, then the
sponsorship, then a payment.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum

from jusha.core.errors import DomainError
from jusha.core.money import Money
from jusha.giving.models import Donation, Refund
from jusha.giving.selectors import donation_fee_returns, donation_fees
from jusha.giving.services import donation_refund
from jusha.ledger.models import JournalEntry
from jusha.ledger.services import entry_post, project_fund_account, project_funds_lock
from jusha.payments.providers import RETURNS_FEES
from jusha.sponsorship import rules
from jusha.sponsorship.models import Outflow, Payment, Sponsorship
from jusha.sponsorship.services import _public, _release, sponsorship_account, sponsorship_figures
from jusha.transparency.services import fact_queue

logger = logging.getLogger(__name__)


# --- the gift path: refunds and fees of a month (subscribers of core.events) --------------------

def on_gift_refunded(refunded) -> None:
    """A month's gift was refunded. A refund this app made has already taken its money out
    of the sponsorship's account; one made elsewhere (by the organisation's finance team on
    the gift itself) takes what the account still holds, so the account never holds money
    that went back to the donor."""
    donation, refund = refunded.donation, refunded.refund
    payment = Payment.objects.select_for_update().filter(donation_id=donation.pk, status=Payment.Status.PAID).first()
    if payment is None:
        return
    if donation.refunded_amount >= donation.amount and payment.status != Payment.Status.REFUNDED:
        payment.status = Payment.Status.REFUNDED
        payment.save(update_fields=["status"])
    unaccounted = donation.refunded_amount - payment.refunded
    if unaccounted <= 0:
        return
    sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=payment.sponsorship_id)
    # A refund that completes the gift gets the provider's whole fee back (Alipay, WeChat
    # Pay): that part comes back with the refund, not out of the sponsorship's account.
    fee_back = _fee_back(payment, donation, refund=unaccounted, completes=donation.refunded_amount >= donation.amount)
    take = min(unaccounted - fee_back, sponsorship_figures(sponsorship).held, _month_held(payment))
    if take > 0:
        _release(sponsorship, Money(take, sponsorship.currency), reference=f"sponsorship-refund:{refund.pk}",
                 memo="refunded on the gift")
        Outflow.objects.create(sponsorship=sponsorship, kind=Outflow.Kind.REFUNDED, amount=take, currency=sponsorship.currency,
                               note=str(refund.pk))
    if take > 0 or fee_back:
        payment.refunded += max(take, 0) + fee_back
        payment.fee -= fee_back
    if donation.refunded_amount >= donation.amount:
        payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["refunded", "fee", "status"])


def on_gift_fee_changed(changed) -> None:
    """What the provider keeps of a month's gift changed after it was paid (in giving's
    transaction): the month bears exactly what the provider still keeps. A fee its statement
    added leaves the sponsorship's account (a `release` back to the fund that paid it,
    reference `sponsorship-fee:<gift>:<fee now>`; never more than the account holds, the rest
    is the programme's: docs/sponsorship.md); a fee given back with a refund beyond what that
    refund already counted comes back to it (a `commitment`, reference
    `sponsorship-fee-return:<refund>`)."""
    donation = changed.donation
    payment = Payment.objects.filter(donation_id=donation.pk, earmarked__gt=0).first()
    if payment is None:  # not a month, or one never earmarked (its whole gift goes back)
        return
    project = donation.project
    project_funds_lock(project)
    sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=payment.sponsorship_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    key = str(donation.pk)
    kept = max(0, donation_fees([donation.pk]).get(key, 0) - donation_fee_returns([donation.pk]).get(key, 0))
    if kept > payment.fee:
        take = min(kept - payment.fee, sponsorship_figures(sponsorship).held)
        if take <= 0:
            return
        payment.fee += take
        entry_post(
            kind=JournalEntry.Kind.RELEASE, reference=f"sponsorship-fee:{donation.pk}:{payment.fee}", project=project,
            lines=[(sponsorship_account(sponsorship), Money(take, sponsorship.currency)),
                   (project_fund_account(project), -Money(take, sponsorship.currency))],
            memo="the provider's fee on this month, from its statement",
        )
    elif kept < payment.fee and changed.refund is not None:
        back = payment.fee - kept
        payment.fee = kept
        entry_post(
            kind=JournalEntry.Kind.COMMITMENT, reference=f"sponsorship-fee-return:{changed.refund.pk}", project=project,
            lines=[(project_fund_account(project), Money(back, sponsorship.currency)),
                   (sponsorship_account(sponsorship), -Money(back, sponsorship.currency))],
            memo="the provider's fee given back with a refund: back to the sponsorship",
        )
    else:
        return
    payment.save(update_fields=["fee"])


def _month_held(payment: Payment) -> int:
    """What the sponsorship's account still holds of one month's gift."""
    return payment.earmarked - payment.refunded - payment.fee


def _fee_back(payment: Payment, donation: Donation, *, refund: int, completes: bool) -> int:
    """The part of a refund of `refund` fen that the provider pays back out of the fee it
    kept, not the sponsorship's account: all the fee the month still bears when the refund
    completes the gift and the provider gives fees back (Alipay, WeChat Pay); otherwise
    nothing (Stripe keeps its fee; what a part refund gets back of it, in proportion, comes
    back to the sponsorship when the provider says: `on_gift_fee_changed`)."""
    if not completes or donation.provider not in RETURNS_FEES or payment.fee <= 0:
        return 0
    return min(payment.fee, refund)


# --- the donor's choices: refund or redirect what is held -------------------------------------

REFUND_ROUNDS = 3  # a part of its fee a provider gives back with a part refund is refunded in turn, a few fen at most


def held_refund(*, sponsorship, actor, reason: str) -> int:
    """Give the donor back what the sponsorship still holds, latest months first: each part
    released from its account and refunded on its gift. Returns the fen refunded.

    A provider that gives its fee back with refunds (Alipay, WeChat Pay) gives all of it
    back on a month refunded whole (refunded gross: the donor gets all they paid), and a
    part of it, in proportion, on a month refunded in part: that part was the sponsorship's
    cost, so it comes back to the sponsorship and is refunded in turn (a few fen, a round
    or two)."""
    refunded = 0
    for _round in range(REFUND_ROUNDS):
        done, fees_returned = _held_refund_once(sponsorship=sponsorship, actor=actor, reason=reason)
        refunded += done
        if not fees_returned:
            break
    return refunded


def _held_refund_once(*, sponsorship, actor, reason: str) -> tuple[int, int]:
    with transaction.atomic():
        project_funds_lock(sponsorship.programme.project)
        sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=sponsorship.pk)
        held = sponsorship_figures(sponsorship).held
        paid = list(Payment.objects.select_for_update().filter(sponsorship=sponsorship, status=Payment.Status.PAID)
                    .select_related("donation").order_by("-period"))
        plan = rules.refund_plan([(str(p.pk), _month_held(p)) for p in paid], held) if held else []
        by_id = {str(p.pk): p for p in paid}
        outflows, fees_back = {}, {}
        for payment_id, fen in plan:
            payment = by_id[payment_id]
            outflows[payment_id] = outflow = Outflow.objects.create(sponsorship=sponsorship, kind=Outflow.Kind.REFUNDED, amount=fen,
                                             currency=sponsorship.currency, note=reason[:280], created_by=actor)
            _release(sponsorship, Money(fen, sponsorship.currency), reference=f"sponsorship-refund-held:{outflow.pk}",
                     memo="refunded by the donor's choice")
            # A month refunded whole is refunded gross when its provider gives its fee back
            # with a full refund: the donor gets all they paid for it, the fee comes back.
            whole = fen == _month_held(payment) and payment.refunded == payment.donation.refunded_amount
            fees_back[payment_id] = fee_back = _fee_back(payment, payment.donation, refund=fen + payment.fee, completes=whole)
            payment.refunded += fen + fee_back
            payment.fee -= fee_back
            payment.save(update_fields=["refunded", "fee"])
    # The refunds themselves: recorded and sent to the provider by giving, one per gift,
    # outside our transaction (the provider is never called inside one). The money is
    # already back in the fund, so each normally passes giving's "available" check. One
    # that giving refuses before any refund is recorded (the fund was spent meanwhile, the
    # gift changed) is put back into the sponsorship, so nothing is left without a purpose
    # and the donor chooses again. One the provider refuses after it was recorded stays a
    # failed refund in giving: the organisation owes it to the donor (`refunds_owed`).
    refunded = fees_returned = 0
    for payment_id, fen in plan:
        donation = by_id[payment_id].donation
        gross = fen + fees_back[payment_id]
        try:
            refund = donation_refund(donation=donation, amount=Money(gross, donation.currency), reason=reason, actor=None)
        except DomainError as exc:
            logger.warning("refund of %s on gift %s refused (%s): put back into sponsorship %s", gross, donation.pk, exc.code, sponsorship.pk)
            _refund_not_made(sponsorship, payment_id, outflows[payment_id].pk, fen, fees_back[payment_id])
            continue
        refunded += gross
        # What the provider gave back of the month's fee beyond the part refunded with it came
        # back to the sponsorship (`on_gift_fee_changed`): refunded in the next round.
        fees_returned += JournalEntry.objects.filter(
            kind=JournalEntry.Kind.COMMITMENT, reference=f"sponsorship-fee-return:{refund.pk}").aggregate(t=Sum("amount"))["t"] or 0
    return refunded, fees_returned


@transaction.atomic
def _refund_not_made(sponsorship: Sponsorship, payment_id: str, outflow_id, fen: int, fee_back: int = 0) -> None:
    """A refund giving refused to record: the release is compensated by an earmark back into
    the sponsorship's account, its month holds the money again, and the outflow says so."""
    project = sponsorship.programme.project
    project_funds_lock(project)
    sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=sponsorship.pk)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    outflow = Outflow.objects.select_for_update().get(pk=outflow_id)
    amount = Money(fen, sponsorship.currency)
    entry_post(
        kind=JournalEntry.Kind.COMMITMENT, reference=f"sponsorship-return:{outflow.pk}", project=project,
        lines=[(project_fund_account(project), amount), (sponsorship_account(sponsorship), -amount)],
        memo="refund not made: back to the sponsorship",
    )
    payment.refunded -= fen + fee_back
    payment.fee += fee_back
    payment.save(update_fields=["refunded", "fee"])
    outflow.kind = Outflow.Kind.RETURNED
    outflow.save(update_fields=["kind"])


def refunds_owed(sponsorship: Sponsorship) -> int:
    """Refunds of this sponsorship's months that the payment provider refused after they
    were recorded: the organisation owes the donor this money, to be paid another way."""
    return Refund.objects.filter(donation__sponsorship_payment__sponsorship=sponsorship,
                                 status=Refund.Status.FAILED).aggregate(t=Sum("amount"))["t"] or 0


@transaction.atomic
def held_redirect(*, sponsorship, actor) -> int:
    """The donor gives what is held to the programme's general fund (other students)."""
    project_funds_lock(sponsorship.programme.project)
    sponsorship = Sponsorship.objects.select_for_update().select_related("programme__project", "beneficiary").get(pk=sponsorship.pk)
    held = sponsorship_figures(sponsorship).held
    if held > 0:
        outflow = Outflow.objects.create(sponsorship=sponsorship, kind=Outflow.Kind.REDIRECTED, amount=held,
                                         currency=sponsorship.currency, created_by=actor)
        _release(sponsorship, Money(held, sponsorship.currency), reference=f"sponsorship-redirect:{outflow.pk}",
                 memo="redirected to the programme by the donor's choice")
        fact_queue(kind="sponsorship_redirect", public=_public(
            sponsorship, id=f"out:{outflow.pk}", sponsorship=str(sponsorship.pk), amount=held, currency=sponsorship.currency,
        ))
    return held
