"""Settling paid gifts in batches (docs/peak.md, "Acceptance and settlement").

A payment notification only accepts the gift (services.donation_payment_succeeded): the
payment event, the gift marked paid, its journal entry and its project's `raised`, all in
one short transaction, with `settled_at` left null. The rest of what a paid gift causes is
its settlement, done here for many gifts in one transaction: its public fact for the log
(bulk inserts) and `core.events.gift_paid`, announced per gift inside `core.events.batch()`
so that the higher apps can share work across the batch (matching draws the batch's gifts
from one pool chunk it holds for the whole batch).

Why nothing is lost or settled twice: the queue is the donations themselves (paid_at set,
settled_at null; a partial index keeps it small). A batch locks the gifts it settles
(`FOR UPDATE SKIP LOCKED` on PostgreSQL: two settlers take different gifts, never the same
one) and marks them settled in the same transaction as everything it writes, so a settler
killed mid-batch leaves every gift of the batch unsettled, to be taken by the next one. A
refund of an unsettled gift locks the gift and settles it first, in its own transaction
(`settle_locked`), so the match it returns exists; a settler that meets that gift later
finds it settled (or skips it while the refund holds its lock).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jusha.core import events
from jusha.giving.models import Donation
from jusha.ledger.services import entries_batched
from jusha.transparency.services import facts_batched

logger = logging.getLogger("jusha.giving")


def unsettled():
    """Paid gifts whose settlement is still due (the settler's queue)."""
    return Donation.objects.filter(paid_at__isnull=False, settled_at__isnull=True)


def gift_fact(donation: Donation) -> tuple[str, dict, dict]:
    return (
        "gift",
        {"id": str(donation.pk), "receipt": donation.receipt_number, "project": donation.project.slug,
         "amount": donation.amount, "currency": donation.currency,
         "paid_at": timezone.localtime(donation.paid_at).isoformat(), "overflow": donation.overflow},
        {"email": donation.email, "name": donation.name, "donor": donation.donor_id},
    )


def settle_locked(donations: list[Donation]) -> None:
    """Settle these paid, unsettled gifts inside the caller's transaction, which holds their
    rows' locks (the settler's batch; a refund of an unsettled gift; a notification when
    `JUSHA_SETTLE["inline"]`). Each donation is loaded with its project."""
    if not donations:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("settle_locked must run inside the transaction that locked the gifts")
    # The batch's facts (its gifts', then those the subscribers queue: matches) and journal
    # entries (matches) are written together when the batch's announcements are done: three
    # bulk inserts for the facts, one statement on PostgreSQL for the entries (ledger.sql).
    with facts_batched() as facts, entries_batched(), events.batch():
        facts.extend(gift_fact(donation) for donation in donations)
        events.batch_state()["gifts"] = donations  # subscribers may read what they need for all at once
        for donation in donations:
            events.gift_paid.announce(events.GiftPaid(donation=donation, overflow=donation.arrived_late))
    now = timezone.now()
    Donation.objects.filter(pk__in=[donation.pk for donation in donations]).update(settled_at=now)
    for donation in donations:
        donation.settled_at = now


def gifts_settle(*, limit: int | None = None, ids=None) -> int:
    """One batch, in one transaction: up to `limit` unsettled paid gifts (oldest first; only
    `ids` when given) that no other transaction holds, settled. Returns how many."""
    limit = limit or settings.JUSHA_SETTLE["batch"]
    with transaction.atomic():
        # Picked, locked (only the gifts' rows: FOR UPDATE OF) and loaded in one statement.
        queue = (
            unsettled().select_for_update(skip_locked=True, of=("self",))
            .select_related("project__organisation", "gift_context", "attribution").order_by("paid_at", "pk")
        )
        if ids is not None:
            queue = queue.filter(pk__in=list(ids))
        donations = list(queue[:limit])
        if not donations:
            return 0
        settle_locked(donations)
    return len(donations)


def gifts_settle_due(*, budget: float | None = None) -> int:
    """Periodic (the worker) and kicked after notifications: batches until none is due or
    `budget` seconds have passed. Returns how many gifts were settled."""
    budget = settings.JUSHA_SETTLE["budget_seconds"] if budget is None else budget
    started, total = time.monotonic(), 0
    while True:
        count = gifts_settle()
        total += count
        if count < settings.JUSHA_SETTLE["batch"] or time.monotonic() - started > budget:
            return total


_kicked = {"at": -1e9}
_kick_lock = threading.Lock()


def settle_kick() -> None:
    """After a notification commits: queue the settler's task, at most once per
    `kick_seconds` per process (the worker's periodic run settles whatever a kick missed)."""
    now = time.monotonic()
    with _kick_lock:
        if now - _kicked["at"] < settings.JUSHA_SETTLE["kick_seconds"]:
            return
        _kicked["at"] = now
    from jusha.giving.tasks import settle_gifts

    try:
        settle_gifts.enqueue()
    except Exception:  # noqa: BLE001 - the periodic run settles it anyway
        logger.exception("could not queue the gift settler")
