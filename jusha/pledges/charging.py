"""The monthly charge run of pledges (the worker's schedule), its retries and time-outs.
Pledges themselves (create, authorise, pause, resume, change, cancel) are in `services.py`.

The charge path, once per pledge and month:
1. in one transaction: the PledgeCharge row (unique per pledge and period: a second run, a
   second worker or a crash's retry finds it and charges nothing), the pending gift
   (giving's `donation_open_authorised`), the pledge's next date;
2. outside any transaction: the provider charges the saved agreement, with the attempt's
   reference (the provider never charges one reference twice);
3. in one transaction: the outcome. Succeeded: the gift is paid through giving's services
   like any gift (journal, public fact, gift_paid, receipt). Failed: the gift fails, a retry
   is scheduled (+1, +3, +7 days) and the donor told by email. No answer (time-out): the
   charge is `unknown` and the next run ASKS the provider by its reference; it is never
   charged again blindly.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jusha.core.errors import Conflict, Invalid, NotFound
from jusha.core.money import Money
from jusha.core.statemachine import SYSTEM
from jusha.giving import services as giving
from jusha.payments.providers import AgreementCharge, ProviderError, ProviderTimeout, get_provider
from jusha.pledges import rules, targets
from jusha.pledges.models import Pledge, PledgeCharge
from jusha.pledges.services import _mail, _move
from jusha.pledges.states import CHARGE

logger = logging.getLogger("jusha.pledges")

# An attempt still pending this long after it was opened was left by a run that stopped
# before hearing the provider (whose calls time out within seconds): it is asked about.
STALE_PENDING = timedelta(minutes=30)


def pledges_charge_due(*, today=None, batch: int = 100, limit: int | None = None) -> dict[str, int]:
    """Periodic: follow up earlier charges (time-outs to ask about, retries due), then charge
    every active pledge due by `today` (once per period, whatever runs at the same time).
    Returns counts by outcome."""
    today = today or timezone.localdate()
    counts = {"succeeded": 0, "failed": 0, "unknown": 0, "paused": 0, "skipped": 0}
    # Earlier charges first: a charge that times out in this run is asked about in the next.
    for outcome, n in charges_follow_up(today=today).items():
        counts[outcome] = counts.get(outcome, 0) + n
    done, last = 0, None
    while limit is None or done < limit:
        # Keyset pages over the due pledges: each is tried once per run, even one another
        # worker holds (it is skipped here) or one whose charge failed before its provider call.
        size = batch if limit is None else min(batch, limit - done)
        try:
            last, opened, outcomes = _open_charges(today=today, after=last, size=size)
        except Exception:  # noqa: BLE001 - one pledge broke the page's transaction: each alone
            logger.exception("opening a page of charges failed; charging its pledges one by one")
            last, opened, outcomes = _open_charges_one_by_one(today=today, after=last, size=size)
        if last is None:
            break
        for charge in opened:
            try:
                outcome = _attempt(charge, charge.pledge)
            except Exception:  # noqa: BLE001 - one pledge's failure must not stop the run (it is asked about later)
                logger.exception("charging pledge %s failed", charge.pledge_id)
                outcome = "skipped"
            outcomes.append(outcome)
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
        done += len(outcomes)
    return counts


def _open_charges(*, today, after=None, size: int = 1, only=None) -> tuple:
    """Step 1 of the charge path for a page of due pledges (the next `size` after the
    primary key `after`, or the one pledge `only`), in ONE transaction: each pledge locked
    (others' are skipped), its PledgeCharge row and pending gift, its next date. Returns
    (the page's last primary key or None when no pledge was due, the charges opened, the
    outcomes of the pledges that need no provider call)."""
    with transaction.atomic():
        due = (
            Pledge.objects.select_for_update(no_key=True, skip_locked=True, of=("self",)).select_related("project", "donor")
            .filter(status=Pledge.Status.ACTIVE, next_charge_on__lte=today)
        )
        if only is not None:
            due = due.filter(pk=only)
        elif after is not None:
            due = due.filter(pk__gt=after)
        page = list(due.order_by("pk")[:size])
        if not page:
            return (only if only is not None else None), [], []
        periods = {rules.period_of(today)}
        charged = set(PledgeCharge.objects.filter(pledge__in=page, period__in=periods).values_list("pledge_id", flat=True))
        opened, outcomes, moved, projects = [], [], defaultdict(list), {}
        for pledge in page:
            scheduled = rules.catch_up(scheduled=pledge.next_charge_on, day=pledge.day, today=today)
            if scheduled > today:  # missed months are not charged; this month's day has not come yet
                pledge.next_charge_on = scheduled
                moved[(scheduled, pledge.project_id)].append(pledge.pk)
                outcomes.append("skipped")
                continue
            pledge.next_charge_on = rules.next_charge_date(scheduled=scheduled, day=pledge.day)
            period = rules.period_of(scheduled)
            if period not in periods:  # (never: a charge due by today is in today's month)
                periods.add(period)
                charged |= set(PledgeCharge.objects.filter(pledge=pledge, period=period).values_list("pledge_id", flat=True))
            if pledge.pk in charged:
                moved[(pledge.next_charge_on, pledge.project_id)].append(pledge.pk)
                outcomes.append("skipped")  # this period is charged already: never twice
                continue
            target = (pledge.target_kind, pledge.target_ref)
            try:
                if target not in projects:  # one read per target and page
                    projects[target] = targets.target_kind(pledge.target_kind).resolve(pledge.target_ref)
                project = projects[target]
                # The same checks as any gift (giving refuses a project not taking gifts): one read of its figures.
                donation = giving.donation_open_authorised(
                    project=project, amount=Money(pledge.amount, pledge.currency), donor=pledge.donor, provider=pledge.provider,
                    context={"pledge": str(pledge.pk), **targets.target_context(pledge.target_kind, pledge.target_ref)},
                )
            except targets.SkipPeriod:
                # Its target skips this period (a sponsorship paused, its month not due): not a failure.
                moved[(pledge.next_charge_on, pledge.project_id)].append(pledge.pk)
                outcomes.append("skipped")
                continue
            except (Conflict, NotFound, Invalid):
                # Never moved without the donor's word: paused, and asked (email + a banner on "my giving").
                moved[(pledge.next_charge_on, pledge.project_id)].append(pledge.pk)
                _move(pledge, Pledge.Status.PAUSED, roles={SYSTEM}, reason="the project no longer takes gifts",
                      pause_reason=Pledge.PauseReason.PROJECT_CLOSED)
                _mail(pledge, "project_closed", {})
                outcomes.append("paused")
                continue
            opened.append(PledgeCharge(pledge=pledge, period=period, scheduled_on=scheduled, amount=pledge.amount,
                                       currency=pledge.currency, donation=donation))
            pledge.project = project
            moved[(pledge.next_charge_on, project.pk)].append(pledge.pk)
        # The rows unique per pledge and period: a second worker's insert for the same month fails here, and
        # this whole page rolls back (nothing was charged yet); its pledges are then tried one by one.
        PledgeCharge.objects.bulk_create(opened)
        for (next_on, project_id), ids in moved.items():
            Pledge.objects.filter(pk__in=ids).update(next_charge_on=next_on, project_id=project_id)
    return page[-1].pk, opened, outcomes


def _open_charges_one_by_one(*, today, after, size: int) -> tuple:
    """The page again, each pledge in its own transaction (after a page failed as a whole)."""
    due = Pledge.objects.filter(status=Pledge.Status.ACTIVE, next_charge_on__lte=today)
    if after is not None:
        due = due.filter(pk__gt=after)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:size])
    opened, outcomes = [], []
    for pledge_id in ids:
        try:
            _last, one, settled = _open_charges(today=today, only=pledge_id)
        except Exception:  # noqa: BLE001 - one pledge's failure must not stop the run
            logger.exception("charging pledge %s failed", pledge_id)
            one, settled = [], ["skipped"]
        opened += one
        outcomes += settled if (one or settled) else ["skipped"]  # locked by another worker, or changed meanwhile
    return (ids[-1] if ids else None), opened, outcomes


def _attempt(charge: PledgeCharge, pledge: Pledge) -> str:
    """Ask the provider to charge the agreement for this attempt (outside any transaction)."""
    provider = get_provider(pledge.provider)
    try:
        result = provider.agreement_charge(
            agreement_id=pledge.agreement_id, amount=charge.amount, currency=charge.currency, reference=charge.reference,
            description=f"Monthly gift {charge.period}",
        )
    except ProviderTimeout:
        logger.warning("charge %s: provider timed out; it will be asked about, never repeated blindly", charge.reference)
        _settle(charge, PledgeCharge.Status.UNKNOWN, failure="the provider did not answer")
        return "unknown"
    except ProviderError as exc:
        result = AgreementCharge(intent_id="", status="failed", reason=str(exc.detail))
    except Exception:  # noqa: BLE001 - not reached, or an answer we cannot read: the outcome is unknown
        logger.exception("charge %s: provider call failed; will ask", charge.reference)
        _settle(charge, PledgeCharge.Status.UNKNOWN, failure="the provider could not be reached")
        return "unknown"
    return _record(charge, result)


def _record(charge: PledgeCharge, result: AgreementCharge) -> str:
    if result.status == "succeeded":
        _settle(charge, PledgeCharge.Status.SUCCEEDED, intent_id=result.intent_id)
        return "succeeded"
    if result.status == "failed":
        return _settle(charge, PledgeCharge.Status.FAILED, failure=result.reason or "declined")
    _settle(charge, PledgeCharge.Status.UNKNOWN, failure="still processing at the provider")  # asked again next run
    return "unknown"


_PAID_FROM = [source for source, target in CHARGE.pairs() if target == PledgeCharge.Status.SUCCEEDED]


def _settle(charge: PledgeCharge, target: str, *, intent_id: str = "", failure: str = "") -> str:
    if target == PledgeCharge.Status.SUCCEEDED:
        # The common outcome in one statement: the row moves (by the table) only from a state
        # the table allows, and stays locked until the gift is paid in the same transaction.
        with transaction.atomic():
            if PledgeCharge.objects.filter(pk=charge.pk, status__in=_PAID_FROM).update(
                status=target, failure="", settled_at=timezone.now(),
            ):
                giving.donation_authorised_charged(donation=charge.donation, intent_id=intent_id)
                return "succeeded"
        # Settled already (another worker asked about it), or in a state the table refuses: below says which.
    with transaction.atomic():
        charge = PledgeCharge.objects.select_for_update(of=("self",)).select_related("pledge", "donation").get(pk=charge.pk)
        if charge.status in (PledgeCharge.Status.SUCCEEDED, PledgeCharge.Status.ABANDONED) or charge.status == target:
            return charge.status
        if target == PledgeCharge.Status.FAILED:
            retry_on = rules.retry_date(scheduled=charge.scheduled_on, attempts=charge.attempts)
            target = PledgeCharge.Status.FAILED if retry_on else PledgeCharge.Status.ABANDONED
            charge.next_retry_on = retry_on
        CHARGE.check(charge.status, target, SYSTEM)
        charge.status = target
        charge.failure = failure[:200]
        if target == PledgeCharge.Status.SUCCEEDED:
            giving.donation_authorised_charged(donation=charge.donation, intent_id=intent_id)
            charge.settled_at = timezone.now()
        elif target in (PledgeCharge.Status.FAILED, PledgeCharge.Status.ABANDONED):
            giving.donation_authorised_failed(donation=charge.donation, reason=failure)
            charge.settled_at = timezone.now()
            if target == PledgeCharge.Status.FAILED:
                _mail(charge.pledge, "charge_failed", {"failure": charge.failure, "retry_on": str(charge.next_retry_on)})
            else:
                pledge = Pledge.objects.select_for_update().get(pk=charge.pledge_id)
                if pledge.status == Pledge.Status.ACTIVE:
                    _move(pledge, Pledge.Status.PAUSED, roles={SYSTEM}, reason="charges kept failing",
                          pause_reason=Pledge.PauseReason.PAYMENT_FAILED)
                _mail(pledge, "abandoned", {})
        charge.save(update_fields=["status", "failure", "next_retry_on", "settled_at"])
    return "succeeded" if target == PledgeCharge.Status.SUCCEEDED else "failed"


def charges_follow_up(*, today=None, batch: int = 200) -> dict[str, int]:
    """Charges whose outcome is unknown are ASKED about (by their reference); failed ones
    whose retry date has come are tried again (a new attempt, a new gift)."""
    today = today or timezone.localdate()
    counts = {"succeeded": 0, "failed": 0, "unknown": 0}
    for charge_id in list(PledgeCharge.objects.filter(status=PledgeCharge.Status.UNKNOWN).values_list("pk", flat=True)[:batch]):
        outcome = _ask(charge_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    # A run that stopped (a crash, a deploy) between opening an attempt and hearing its
    # outcome leaves it pending: long after, it is asked about like a time-out, by its reference.
    stale = PledgeCharge.objects.filter(status=PledgeCharge.Status.PENDING,
                                        donation__created_at__lt=timezone.now() - STALE_PENDING)
    for charge_id in list(stale.values_list("pk", flat=True)[:batch]):
        outcome = _ask(charge_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    due = PledgeCharge.objects.filter(status=PledgeCharge.Status.FAILED, next_retry_on__lte=today)
    for charge_id in list(due.values_list("pk", flat=True)[:batch]):
        outcome = _retry(charge_id, today)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _ask(charge_id) -> str:
    charge = PledgeCharge.objects.select_related("pledge").get(pk=charge_id)
    try:
        answer = get_provider(charge.pledge.provider).agreement_charge_query(charge.reference)
    except Exception:  # noqa: BLE001 - still unknown: asked again on the next run
        logger.exception("asking about charge %s failed", charge.reference)
        return "unknown"
    if answer is None:
        # The provider never received it: the same attempt (the same reference) may be made
        # now (were it received meanwhile, the provider answers with that one charge).
        with transaction.atomic():
            locked = PledgeCharge.objects.select_for_update().get(pk=charge_id)
            if locked.status == PledgeCharge.Status.UNKNOWN:
                CHARGE.check(locked.status, PledgeCharge.Status.PENDING, SYSTEM)
                locked.status = PledgeCharge.Status.PENDING
                locked.save(update_fields=["status"])
            elif locked.status != PledgeCharge.Status.PENDING:
                return "skipped"
        return _attempt(locked, charge.pledge)
    return _record(charge, answer)


def _retry(charge_id, today) -> str:
    with transaction.atomic():
        charge = (
            PledgeCharge.objects.select_for_update(skip_locked=True, of=("self",)).select_related("pledge__donor")
            .filter(pk=charge_id, status=PledgeCharge.Status.FAILED, next_retry_on__lte=today).first()
        )
        if charge is None:
            return "skipped"
        pledge = charge.pledge
        if pledge.status != Pledge.Status.ACTIVE:
            CHARGE.check(charge.status, PledgeCharge.Status.ABANDONED, SYSTEM)
            charge.status = PledgeCharge.Status.ABANDONED
            charge.save(update_fields=["status"])
            return "skipped"  # paused or cancelled meanwhile: the donor's word stands
        try:
            project = targets.target_kind(pledge.target_kind).resolve(pledge.target_ref)
            donation = giving.donation_open_authorised(
                project=project, amount=Money(charge.amount, charge.currency), donor=pledge.donor, provider=pledge.provider,
                context={"pledge": str(pledge.pk), **targets.target_context(pledge.target_kind, pledge.target_ref)},
            )
        except (Conflict, NotFound, Invalid):
            CHARGE.check(charge.status, PledgeCharge.Status.ABANDONED, SYSTEM)
            charge.status = PledgeCharge.Status.ABANDONED
            charge.save(update_fields=["status"])
            return "skipped"
        CHARGE.check(charge.status, PledgeCharge.Status.PENDING, SYSTEM)
        charge.status, charge.attempts, charge.donation, charge.next_retry_on = PledgeCharge.Status.PENDING, charge.attempts + 1, donation, None
        charge.save(update_fields=["status", "attempts", "donation", "next_retry_on"])
    return _attempt(charge, pledge)
