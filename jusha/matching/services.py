"""Every write of matching: pools and their deposits, the match of each paid gift (on the
gift path, in its transaction), matches returned by refunds, held matches decided by staff,
and the gift context the anti-gaming signals read.

No gift locks a pool's row: matches are drawn from chunks of the pool that each app
process holds (`chunks`); the arithmetic lives in `rules`. docs/peak.md explains why the
budget and the caps still hold exactly under any concurrency.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import fields
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.campaigns.rules import Window
from jusha.core import events
from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, TransitionRefused
from jusha.core.client import ClientContext
from jusha.core.money import Money, require_currency, require_money, require_positive
from jusha.core.richtext import plain_text
from jusha.core.sql import row_insert, rows_insert_many
from jusha.core.statemachine import SYSTEM
from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from jusha.ledger.services import (
    entry_post,
    organisation_cash_account,
    pool_account,
    pool_and_fund_accounts,
    settlement_post,
)
from jusha.matching import chunks, rules, sql, states
from jusha.matching.models import Deposit, GiftContext, Match, Pool
from jusha.matching.selectors import active_pools_changed, eligible_pools
from jusha.organisations.models import Membership
from jusha.organisations.permissions import roles_for
from jusha.projects.models import Cause
from jusha.transparency.services import fact_queue, facts_are_batched
from jusha.campaigns.selectors import accepted_project_ids
from jusha.projects.selectors import project_sums

PAID_STATUSES = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED)

RULE_MESSAGES = {
    "invalid_window": gettext_lazy("The matching window must end after it starts."),
    "invalid_hours": gettext_lazy("Daily hours need an opening time before the closing time."),
    "invalid_budget": gettext_lazy("The budget must be more than zero."),
    "invalid_ratio": gettext_lazy(
        "The ratio must be more than zero, its highest no lower than its lowest, and at most 10:1."
    ),
    "invalid_min_gift": gettext_lazy("The smallest gift matched must be more than zero."),
    "invalid_cap": gettext_lazy("Caps must be more than zero (or left out)."),
    "cap_below_minimum": gettext_lazy(
        "A cap is below the match of the smallest gift: no gift could ever be matched in full."
    ),
    "invalid_tranches": gettext_lazy(
        "The daily tranches must be positive, add up to the budget and fit in the window's days."
    ),
}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _staff_roles(actor) -> set[str]:
    return {states.STAFF} if getattr(actor, "is_staff", False) and actor.is_active else set()


def _lock(pool) -> Pool:
    return chunks.pool_lock(pool.pk)


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat()


# --- public facts -----------------------------------------------------------------------
# Every entry matching posts to the journal is also a public fact in the transparency log,
# queued in the same transaction (docs/transparency.md): a deposit into a pool, a match
# journalled to a project, and a match returned to its pool. A match held for review moves
# nothing in the journal, so it is no fact until staff release it (then it is a match fact);
# a held match given back (rejected, or its gift refunded) moved nothing either. So the
# match facts of a project minus its match_return facts are what the journal says it was
# matched. Only public bodies and public records: the sponsor organisation, the pool, the
# project, the donation's id and receipt number (as in its gift fact), never the donor.


def _pool_fields(pool) -> dict:
    return {"pool": pool.pk, "sponsor": pool.sponsor.slug, "currency": pool.currency}


def _deposit_fact(deposit: Deposit, pool: Pool) -> None:
    fact_queue(kind="pool_deposit", public={
        "id": str(deposit.pk), **_pool_fields(pool), "amount": deposit.amount,
        "deposited_at": _local(deposit.created_at),
    })


def _match_fact(match: Match, pool: Pool, amount: int, at) -> None:
    public = {
        "id": str(match.pk), **_pool_fields(pool), "donation": str(match.donation_id),
        "receipt": match.donation.receipt_number, "project": match.project.slug, "amount": amount,
        "ratio_bp": match.ratio_bp, "matched_at": _local(at),
    }
    if match.pk is None:  # a settler's batch inserts its matches when it ends, then its facts
        public["match"] = match  # (replaced by its id then: _matches_now)
        events.batch_state()["matching.match_facts"].append(public)
    fact_queue(kind="match", public=public, batched=True)  # a settler's batch writes its facts at once


def _match_return_fact(match: Match, pool: Pool, *, donation, refund, amount: int) -> None:
    fact_queue(kind="match_return", public={
        "id": str(refund.pk), "match": str(match.pk), **_pool_fields(pool), "donation": str(donation.pk),
        "receipt": donation.receipt_number, "project": match.project.slug, "amount": amount,
        "returned_at": _local(timezone.now()),
    })


def thresholds() -> rules.Thresholds:
    configured = settings.JUSHA_MATCHING
    return rules.Thresholds(**{f.name: configured[f.name] for f in fields(rules.Thresholds) if f.name in configured})


# --- pools ------------------------------------------------------------------------------


def _check_rules(candidate: rules.Rules, window: Window) -> None:
    problems = rules.rule_problems(candidate, window)
    if problems:
        raise Invalid(RULE_MESSAGES[problems[0]], code=problems[0], extra={"problems": problems})


def _minor(amount: Money | None, currency: str, name: str) -> int | None:
    """A rule's amount (Money in the pool's currency, or None) as the integer the rules and
    the pool's columns hold."""
    return None if amount is None else require_money(amount, name=name, currency=currency).amount


@transaction.atomic
def pool_create(
    *, sponsor, actor, name: str, budget: Money, min_bp, max_bp, min_gift: Money | None = None,
    gift_cap: Money | None = None, donor_daily_cap: Money | None = None, project_cap: Money | None = None,
    causes=(), projects=(), tranches: tuple[Money, ...] = (), campaign=None, starts_at=None, ends_at=None,
) -> Pool:
    """A draft pool with its rules, by the sponsor's owners or finance members (or staff).
    Amounts are Money in the budget's currency, the pool's (`min_gift` is one minor unit
    unless given). Rules never change afterwards: anyone can then hold the pool to what it
    published."""
    require_money(budget, name="budget")
    if not roles_for(actor, sponsor) & {"owner", "finance", "staff"}:
        raise Forbidden(_("Only the sponsor's owners and finance members can set up its pools."), code="not_sponsor")
    name = plain_text(name)
    if not name or len(name) > 120:
        raise Invalid(_("Give the pool a name of at most 120 characters."), code="invalid_name")
    currency = require_currency(budget.currency)
    min_gift = _minor(min_gift, currency, "min_gift") if min_gift is not None else 1
    gift_cap, donor_daily_cap, project_cap = (
        _minor(cap, currency, label)
        for cap, label in ((gift_cap, "gift_cap"), (donor_daily_cap, "donor_daily_cap"), (project_cap, "project_cap"))
    )
    tranches = [_minor(t, currency, "tranche") for t in tranches]
    budget = budget.amount
    if not all(_is_int(n) for n in (min_bp, max_bp)):
        raise Invalid(_("Amounts and ratios are whole numbers (fen, basis points)."), code="invalid_number")
    if any(cause not in Cause.values for cause in causes):
        raise Invalid(_("Choose causes from the list."), code="invalid_cause")
    if campaign is not None:
        starts_at, ends_at = starts_at or campaign.starts_at, ends_at or campaign.ends_at
        if starts_at < campaign.starts_at or ends_at > campaign.ends_at:
            raise Invalid(_("A campaign's pool matches within the campaign's window."), code="outside_campaign")
    if any(not isinstance(t, datetime) or timezone.is_naive(t) for t in (starts_at, ends_at)):
        raise Invalid(_("Say when matching starts and ends, with a time zone."), code="invalid_window")
    candidate = rules.Rules(
        budget=budget, min_bp=min_bp, max_bp=max_bp, min_gift=min_gift, gift_cap=gift_cap,
        donor_daily_cap=donor_daily_cap, project_cap=project_cap, tranches=tuple(tranches),
    )
    _check_rules(candidate, Window(starts_at, ends_at))
    projects = list(projects)
    if campaign is not None and projects:
        if not {p.pk for p in projects} <= accepted_project_ids(campaign):
            raise Invalid(
                _("Every eligible project must be accepted in the pool's campaign."), code="project_not_in_campaign"
            )
    seed = secrets.token_hex(32)
    pool = Pool.objects.create(
        sponsor=sponsor, campaign=campaign, name=name, currency=currency, budget=budget, min_bp=min_bp, max_bp=max_bp,
        min_gift=min_gift, gift_cap=gift_cap, donor_daily_cap=donor_daily_cap, project_cap=project_cap,
        causes=sorted(set(causes)), tranches=list(tranches), starts_at=starts_at, ends_at=ends_at,
        seed=seed, seed_hash=rules.seed_hash(seed), created_by=actor,
    )
    pool.projects.set(projects)
    audit_record(actor=actor, action="pool.create", target=pool, data={"budget": budget, "seed_hash": pool.seed_hash})
    return pool


@transaction.atomic
def pool_deposit(*, pool, amount: Money, reference: str, actor) -> Deposit:
    """Staff record money the sponsor paid in (Money in the pool's currency): the sponsor's
    cash → the pool, journalled once."""
    require_money(amount)
    if not _staff_roles(actor):
        raise Forbidden(_("Only platform staff can record deposits into a pool."), code="not_staff")
    require_positive(
        amount, currency=pool.currency, message=_("The deposit must be more than zero.")
    )
    reference = plain_text(reference)[:80]
    if not reference:
        raise Invalid(_("Give the bank or payment reference of the deposit."), code="reference_required")
    pool = _lock(pool)
    if pool.status == states.CLOSED:
        raise Conflict(_("This pool is closed."), code="pool_closed")
    if pool.deposited + amount.amount > pool.budget:
        raise Conflict(
            _("Deposits would exceed the pool's budget."), code="deposit_exceeds_budget",
            extra={"budget": pool.budget, "deposited": pool.deposited},
        )
    deposit = Deposit.objects.create(pool=pool, amount=amount.amount, reference=reference, recorded_by=actor)
    entry_post(
        kind=JournalEntry.Kind.POOL_DEPOSIT, reference=str(deposit.pk), project=None,
        lines=[(organisation_cash_account(pool.sponsor_id, pool.currency), amount), (pool_account(pool), -amount)],
        memo=f"pool {pool.pk} deposit {reference}", actor=actor,
    )
    _deposit_fact(deposit, pool)
    Pool.objects.filter(pk=pool.pk).update(deposited=F("deposited") + amount.amount)
    audit_record(actor=actor, action="pool.deposit", target=pool, data={"amount": amount.amount, "reference": reference})
    return deposit


@transaction.atomic
def pool_transition(*, pool, target: str, actor, reason: str = "") -> Pool:
    """Activate (staff: only a fully deposited pool whose window is not over; its seed hash
    is public from then on, before its first draw) or close a pool."""
    locked = _lock(pool)
    roles = {SYSTEM} if actor is None else roles_for(actor, locked.sponsor)
    if not roles:
        raise Forbidden(_("Only the sponsor and platform staff can change this pool."), code="not_sponsor")
    source = locked.status
    states.POOL.check(source, target, roles)
    now = timezone.now()
    changed = ["status"]
    if target == states.ACTIVE:
        if locked.deposited < locked.budget:
            raise TransitionRefused(
                _("The pool's budget is not fully deposited yet."), code="pool_not_funded",
                extra={"budget": locked.budget, "deposited": locked.deposited},
            )
        if locked.ends_at <= now:
            raise TransitionRefused(_("The pool's matching window is already over."), code="pool_window_over")
        locked.activated_at = now
        changed.append("activated_at")
    locked.status = target
    locked.save(update_fields=changed)
    active_pools_changed()
    if target == states.CLOSED:
        chunks.chunks_close_pool(locked)  # what processes still hold goes back: nothing more is drawn
    if actor is not None:
        data = {"from": source, "reason": plain_text(reason)}
        audit_record(actor=actor, action=f"pool.{target}", target=locked, data=data)
    return locked


# --- the gift path ----------------------------------------------------------------------


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"jusha.matching.{kind}", value, algorithm="sha256").hexdigest()


def gift_context_record(*, donation, client: ClientContext) -> GiftContext:
    """At gift opening (a subscriber of core.events.gift_opened): salted hashes of the
    client's network address and device cookie."""
    context = GiftContext(
        donation=donation,
        network_hash=_digest("network", client.network) if client.network else "",
        device_hash=_digest("device", client.device) if client.device else "",
    )
    row_insert(context)  # GiftContext.objects.create(…), one plain INSERT on the create's hot path (core.sql)
    return context


def on_gift_opened(opened) -> None:
    gift_context_record(donation=opened.donation, client=opened.client)


def on_gift_paid(paid) -> None:
    if not paid.overflow:  # matched in the gift's transaction: a failed or refused gift never spends a match
        match_gift(donation=paid.donation)


def on_gift_refunded(refunded) -> None:
    match_return_for_refund(donation=refunded.donation, refund=refunded.refund)


def _donor_key(donation, context: GiftContext | None) -> str:
    """Whose daily cap a gift counts against: the account, else the receipt email, else the
    device; a guest with none of these is a donor of one gift."""
    if donation.donor_id:
        return f"user:{donation.donor_id}"
    if donation.email:
        return "email:" + _digest("email", donation.email.lower())
    if context is not None and context.device_hash:
        return "device:" + context.device_hash
    return f"gift:{donation.pk}"


def _opening(pool: Pool, paid_at) -> tuple[int | None, datetime | None]:
    """When the gift's tranche opened and how many seconds after it the gift was paid
    (None, None when neither applies). Tranches open at the start of each day of the window
    (the first: once the pool is live)."""
    seconds, opening = None, None
    day = rules.day_index(pool.starts_at, paid_at)
    if pool.tranches or day == 0:
        opens = pool.campaign.daily_opens if pool.campaign_id else None
        opening = rules.tranche_opening(pool.starts_at, day, opens) if day else max(pool.starts_at, pool.activated_at)
        seconds = int((paid_at - opening).total_seconds())
    return seconds, opening


def _evidence(donation, context: GiftContext | None, pool: Pool, limits: rules.Thresholds) -> rules.Evidence:
    """The facts the signals read, for one gift to one pool's project."""
    project, paid_at = donation.project, donation.paid_at
    since = paid_at - timedelta(hours=settings.JUSHA_MATCHING["lookback_hours"])
    recent = Donation.objects.filter(
        project=project, status__in=PAID_STATUSES, paid_at__gte=since, paid_at__lte=paid_at
    )
    members = Membership.objects.filter(organisation_id=project.organisation_id)
    hashes = {name: getattr(context, f"{name}_hash", "") if context else "" for name in ("device", "network")}

    own_member = bool(donation.donor_id) and members.filter(user_id=donation.donor_id).exists()
    shared = []
    email = donation.email.lower()
    if not own_member and email and (
        email == project.organisation.contact_email.lower() or members.filter(user__email__iexact=email).exists()
    ):
        shared.append("email")
    for name, digest in hashes.items():
        used_by_members = GiftContext.objects.filter(
            **{f"{name}_hash": digest}, donation__donor__memberships__organisation_id=project.organisation_id
        )
        if digest and not own_member and used_by_members.exclude(donation=donation).exists():
            shared.append(name)

    seconds, opening = _opening(pool, paid_at)

    # Every count of recent gifts in one query: the donor's, the device's, the network's,
    # and those since the tranche opened when this gift came in a burst after it.
    counted = {}
    if donation.donor_id:
        counted["account"] = Q(donor_id=donation.donor_id)
    elif donation.email:
        counted["account"] = Q(email=donation.email)
    for name, digest in hashes.items():
        if digest:
            counted[name] = Q(**{f"gift_context__{name}_hash": digest})
    if seconds is not None and 0 <= seconds <= limits.burst_seconds:
        counted["burst"] = Q(paid_at__gte=opening)
    counts = recent.aggregate(**{name: Count("pk", filter=q) for name, q in counted.items()}) if counted else {}
    return rules.Evidence(
        own_member=own_member, org_identity=tuple(shared),
        account_gifts=counts.get("account", 1),  # a guest with no email: a donor of one gift
        device_gifts=counts.get("device", 0), network_gifts=counts.get("network", 0),
        seconds_after_opening=seconds, burst_gifts=counts.get("burst", 0),
    )


def _context_of(donation) -> GiftContext | None:
    try:
        return donation.gift_context  # loaded with the locked gift (select_related)
    except GiftContext.DoesNotExist:
        return None


def evidence_many(gifts, limits: rules.Thresholds) -> dict[tuple, rules.Evidence]:
    """The evidence of many paid gifts at once (a settler's batch), each to the first pool
    that may match it, {(donation id, pool id): Evidence}: EXACTLY what `_evidence` finds
    for each (tests/matching/test_evidence_many.py compares them), from three statements
    for the whole batch instead of two to four per gift: the organisations' members, the
    member gifts' contexts sharing a device or network with the batch's gifts, and the
    recent-gift counts (matching.sql). Every gift of the batch is already paid, so each
    counts the others paid up to its own moment, as it would alone. Overflow gifts (never
    matched) are left out; an email that is not ASCII is checked by its own query (the
    databases' case-insensitive comparison is then theirs to make)."""
    wanted = []
    for donation in gifts:
        if donation.arrived_late:
            continue
        pools = eligible_pools(donation.project, donation.paid_at)
        if pools:
            wanted.append((donation, _context_of(donation), pools[0]))
    if not wanted:
        return {}
    orgs = {donation.project.organisation_id for donation, _context, _pool in wanted}
    members: dict[int, dict[int, str]] = defaultdict(dict)
    rows = Membership.objects.filter(organisation_id__in=orgs).values_list("organisation_id", "user_id", "user__email")
    for org_id, user_id, user_email in rows:
        members[org_id][user_id] = user_email or ""
    names = ("device", "network")
    digests = {name: {getattr(c, f"{name}_hash") for _d, c, _p in wanted if c is not None and getattr(c, f"{name}_hash")}
               for name in names}
    used = defaultdict(set)  # (name, digest, organisation) -> gifts of its members with that digest
    if any(digests.values()):
        either = Q()
        for name, values in digests.items():
            if values:
                either |= Q(**{f"{name}_hash__in": values})
        contexts = GiftContext.objects.filter(either, donation__donor__memberships__organisation_id__in=orgs).values_list(
            "donation_id", "device_hash", "network_hash", "donation__donor__memberships__organisation_id")
        for donation_id, device, network, org_id in contexts:
            used[("device", device, org_id)].add(donation_id)
            used[("network", network, org_id)].add(donation_id)

    lookback = timedelta(hours=settings.JUSHA_MATCHING["lookback_hours"])
    questions, partial = [], []
    for donation, context, pool in wanted:
        org_id, paid_at = donation.project.organisation_id, donation.paid_at
        org_members = members[org_id]
        hashes = {name: getattr(context, f"{name}_hash", "") if context else "" for name in names}
        own_member = bool(donation.donor_id) and donation.donor_id in org_members
        shared = []
        email = donation.email.lower()
        if not own_member and email:
            if email == donation.project.organisation.contact_email.lower():
                shared.append("email")
            elif email.isascii() and all(e.isascii() for e in org_members.values()):
                if any(e.lower() == email for e in org_members.values()):
                    shared.append("email")
            elif Membership.objects.filter(organisation_id=org_id, user__email__iexact=email).exists():
                shared.append("email")
        for name, digest in hashes.items():
            if digest and not own_member and used[(name, digest, org_id)] - {donation.pk}:
                shared.append(name)
        seconds, opening = _opening(pool, paid_at)
        burst = seconds is not None and 0 <= seconds <= limits.burst_seconds
        account = bool(donation.donor_id) or bool(donation.email)
        questions.append(sql.Recent(
            project_id=donation.project_id, since=paid_at - lookback, until=paid_at,
            donor_id=donation.donor_id or None, email=donation.email if not donation.donor_id and donation.email else None,
            device=hashes["device"] or None, network=hashes["network"] or None, opening=opening if burst else None,
        ))
        partial.append((donation, pool, own_member, tuple(shared), seconds, account))
    found = {}
    for (donation, pool, own_member, shared, seconds, account), counts in zip(
        partial, sql.recent_counts(questions, PAID_STATUSES)
    ):
        found[(donation.pk, pool.pk)] = rules.Evidence(
            own_member=own_member, org_identity=shared,
            account_gifts=counts[0] if account else 1,  # a guest with no email: a donor of one gift
            device_gifts=counts[1], network_gifts=counts[2], seconds_after_opening=seconds, burst_gifts=counts[3],
        )
    return found


def _evidence_of(donation, context: GiftContext | None, pool: Pool, limits: rules.Thresholds) -> rules.Evidence:
    """In a settler's batch of gifts, the evidence read for all of them at once
    (evidence_many, on its first gift); otherwise, and for a pool tried after the first,
    the gift's own."""
    batch = events.batch_state()
    if batch is not None and len(batch.get("gifts", ())) > 1:  # one gift alone: its own queries are fewer
        if "matching.evidence" not in batch:
            batch["matching.evidence"] = evidence_many(batch["gifts"], limits)
        found = batch["matching.evidence"].get((donation.pk, pool.pk))
        if found is not None:
            return found
    return _evidence(donation, context, pool, limits)


def _committed(queryset) -> int:
    return queryset.aggregate(total=Sum(F("amount") - F("returned")))["total"] or 0


def _journal_match(match: Match, pool: Pool, amount: int, *, at) -> None:
    """The match entry (the pool's money to the project's fund) and its public fact."""
    source, fund = pool_and_fund_accounts(pool, match.project)
    money = Money(amount, pool.currency)
    entry_post(
        kind=JournalEntry.Kind.MATCH, reference=str(match.donation_id), project=match.project,
        lines=[(source, money), (fund, -money)],
        memo=match.donation.receipt_number or "", batched=True,  # a settler's batch writes its entries at once
    )
    if pool.sponsor_id != match.project.organisation_id:  # the sponsor's cash goes where the fund is
        settlement_post(reference=f"match:{match.donation_id}", project=match.project, payer_id=pool.sponsor_id,
                        payee_id=match.project.organisation_id, amount=money, memo=match.donation.receipt_number or "",
                        batched=True)
    match.journalled = amount
    _match_fact(match, pool, amount, at)


def match_gift(*, donation) -> Match | None:
    """The match of a gift just paid and journalled (not overflow), in the same transaction,
    so a failed or refused gift never spends one. At most one pool matches a gift: the first
    eligible pool with room. A gift with an anti-gaming signal is still accepted, but its
    match is only reserved (held) until staff decide."""
    pools = eligible_pools(donation.project, donation.paid_at)
    if not pools:
        return None
    context = _context_of(donation)
    donor_key = _donor_key(donation, context)
    day, limits = rules.local_day(donation.paid_at), thresholds()
    for pool in pools:
        found = rules.signals(_evidence_of(donation, context, pool, limits), limits)
        donor_day = 0
        if pool.donor_daily_cap is not None:
            _donor_day_lock(pool, donor_key, day)
            donor_day = _committed(Match.objects.filter(pool=pool, donor_key=donor_key, day=day)) + sum(
                m.amount for m in _matches_later() if m.pool_id == pool.pk and m.donor_key == donor_key and m.day == day)
        # The pool's bound and a project cap are held by the chunk the match is drawn from.
        usage = rules.Usage(pool=0, project=0, donor_day=donor_day)
        ratio = rules.draw_bp(pool.rules, seed=pool.seed, donation_id=str(donation.pk))
        day_of_window = rules.day_index(pool.starts_at, donation.paid_at)
        allocation = rules.allocate(pool.rules, gift=donation.amount, ratio_bp=ratio, day=day_of_window, usage=usage)
        chunk_id, amount = chunks.draw(pool=pool, project=donation.project, need=allocation.amount, day=day_of_window)
        if amount <= 0:
            continue
        match = Match(
            donation=donation, pool=pool, chunk_id=chunk_id, project=donation.project, ratio_bp=ratio, amount=amount,
            journalled=0 if found else amount, status=states.HELD if found else states.MATCHED, donor_key=donor_key,
            day=day, signals=found,
        )
        _match_write(match)
        if not found:
            _journal_match(match, pool, amount, at=donation.paid_at)
        return match
    return None


def _matches_later() -> list[Match]:
    """The matches of the settler's batch not yet written (none outside a batch)."""
    batch = events.batch_state()
    return batch.get("matching.matches", []) if batch is not None else []


def _match_write(match: Match) -> None:
    """Write a new match: in a settler's batch, with the batch's others in one insert when
    the batch ends (still in its transaction; nothing in the batch reads them before, but
    a daily cap, which counts them in: `_matches_later`); otherwise at once."""
    batch = events.batch_state()
    if batch is None or not facts_are_batched():  # its fact needs its id: written with the batch's facts, or now
        match.save(force_insert=True)
        return
    if "matching.matches" not in batch:
        batch["matching.matches"], batch["matching.match_facts"] = [], []
        events.at_batch_end(lambda: _matches_now(batch))
    batch["matching.matches"].append(match)


def _matches_now(batch: dict) -> None:
    """The batch's matches in one insert; their facts, queued for the batch's facts (which
    are written after this), get the ids the insert gave them."""
    rows_insert_many(batch.pop("matching.matches"))  # ids come back (RETURNING, PostgreSQL and SQLite)
    for public in batch.pop("matching.match_facts"):
        public["id"] = str(public.pop("match").pk)


def _donor_day_lock(pool, donor_key: str, day) -> None:
    """One donor's gifts to a pool with a daily cap take turns (PostgreSQL: a transaction
    advisory lock on the donor's day; SQLite already runs one writer at a time). Only that
    donor's gifts wait, never the pool's or a project's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"pool:{pool.pk}:{donor_key}:{day}"])


def match_return_for_refund(*, donation, refund) -> Money:
    """After a refund of (part of) a gift, in its transaction: the match goes back to its pool
    in proportion. What stays is floor(match × (gift − refunded) / gift), so a full refund
    returns all of it; a match the project has already spent is not clawed back. Returns
    the Money journalled back to the pool (none for a held match: it is only un-reserved)."""
    found = Match.objects.filter(donation_id=donation.pk).values_list("pool_id", flat=True).first()
    if found is None:
        return Money.zero(donation.currency)
    pool = chunks.pool_lock(found)
    match = Match.objects.select_for_update(of=("self",)).select_related("project").get(donation_id=donation.pk)
    kept = rules.kept_after_refunds(match=match.amount, gift=donation.amount, refunded=donation.refunded_amount)
    due = match.net - kept
    if match.status == states.RETURNED or due <= 0:
        return Money.zero(donation.currency)
    back = 0
    if match.status == states.HELD:
        match.returned += due
        chunks.pool_give_back(pool.pk, due)
    else:
        back = min(due, max(0, project_sums([match.project_id])[match.project_id].available))
        if back > 0:
            source, fund = pool_and_fund_accounts(pool, match.project)
            money = Money(back, pool.currency)
            entry_post(
                kind=JournalEntry.Kind.MATCH_RETURN, reference=str(refund.pk), project=match.project,
                lines=[(fund, money), (source, -money)],
                memo=donation.receipt_number or "",
            )
            if pool.sponsor_id != match.project.organisation_id:
                settlement_post(reference=f"match_return:{refund.pk}", project=match.project,
                                payer_id=match.project.organisation_id, payee_id=pool.sponsor_id, amount=money,
                                memo=donation.receipt_number or "")
            _match_return_fact(match, pool, donation=donation, refund=refund, amount=back)
            match.returned += back
            chunks.pool_give_back(pool.pk, back)
    if match.net == 0:
        states.MATCH.check(match.status, states.RETURNED, SYSTEM)
        match.status = states.RETURNED
    match.save(update_fields=["returned", "status"])
    return Money(back, pool.currency)


# --- held matches: staff decide ---------------------------------------------------------


def _decide(match, *, actor, target: str, note: str) -> tuple[Pool, Match]:
    roles = _staff_roles(actor)
    if not roles:
        raise Forbidden(_("Only platform staff can decide held matches."), code="not_staff")
    pool = chunks.pool_lock(match.pool_id)
    locked = Match.objects.select_for_update(of=("self",)).select_related("project", "donation").get(pk=match.pk)
    states.MATCH.check(locked.status, target, roles)
    locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), plain_text(note)[:280]
    return pool, locked


@transaction.atomic
def match_release(*, match, actor, note: str = "") -> Match:
    """Staff found nothing wrong: the reserved match is journalled to the project."""
    pool, locked = _decide(match, actor=actor, target=states.RELEASED, note=note)
    amount = locked.net
    _journal_match(locked, pool, amount, at=locked.decided_at)
    locked.status = states.RELEASED
    locked.save(update_fields=["status", "journalled", "decided_by", "decided_at", "decision_note"])
    data = {"amount": amount, "note": locked.decision_note}
    audit_record(actor=actor, action="match.release", target=locked, data=data)
    return locked


@transaction.atomic
def match_reject(*, match, actor, note: str) -> Match:
    """Staff judged the gift gamed: the reservation goes back to the pool, nothing is paid."""
    if not plain_text(note):
        raise Invalid(_("Say why the match is rejected."), code="reason_required")
    pool, locked = _decide(match, actor=actor, target=states.RETURNED, note=note)
    freed = locked.net
    chunks.pool_give_back(pool.pk, freed)
    locked.returned, locked.status = locked.amount, states.RETURNED
    locked.save(update_fields=["status", "returned", "decided_by", "decided_at", "decision_note"])
    data = {"amount": freed, "note": locked.decision_note}
    audit_record(actor=actor, action="match.reject", target=locked, data=data)
    return locked


# --- periodic ---------------------------------------------------------------------------


def gift_contexts_purge(*, now=None) -> int:
    """Periodic: device and network hashes are deleted after 90 days (and daily-cap keys
    derived from a device with them)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JUSHA_MATCHING["context_days"])
    deleted, _unused = GiftContext.objects.filter(created_at__lt=cutoff).delete()
    Match.objects.filter(created_at__lt=cutoff, donor_key__startswith="device:").update(donor_key="")
    return deleted
