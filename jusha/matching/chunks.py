"""Pool money in chunks: how a matched gift takes its match without locking the pool.

Every app process cuts chunks off a pool (one short lock of the pool's row per chunk, not
per gift) and leases each chunk to one gift transaction at a time, so two concurrent gifts
never wait for the same row. A gift draws its match from the chunk with one conditional
increment; the pool's row is touched again only when a chunk runs out. Chunks idle for a
while (a process that stopped, crashed or no longer sees gifts) are closed by the worker
and their unused rest goes back to the pool. Near the end of a pool, a gift that cannot
find room sweeps the idle chunks of other processes back first, so the pool is spent to
the fen. docs/peak.md gives the invariants and why they hold.
"""

from __future__ import annotations

import os
import socket
import threading
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from jusha.core import events
from jusha.matching import rules, sql, states
from jusha.matching.models import Match, Pool, PoolChunk

OWNER = f"{socket.gethostname()}:{os.getpid()}"[:80]

# Chunks this process holds and no transaction is drawing on, per (pool, project or None).
# A chunk is taken out for one gift's transaction and put back when it commits; a rolled
# back or crashed transaction's chunk is simply not put back (the worker closes it later).
_idle: dict[tuple[int, int | None], list[int]] = defaultdict(list)
_idle_lock = threading.Lock()


def pool_lock(pool_id: int) -> Pool:
    """Lock a pool's row for a decision on its money (cutting or closing chunks, deposits,
    returns, staff decisions). FOR NO KEY UPDATE: the foreign-key checks of new matches and
    chunks, which gifts make, never wait for it."""
    return Pool.objects.select_for_update(no_key=True).get(pk=pool_id)


def _key(pool, project) -> tuple[int, int | None]:
    return pool.pk, project.pk if pool.project_cap is not None else None


def _take(key) -> int | None:
    with _idle_lock:
        ids = _idle.get(key)
        return ids.pop() if ids else None


def _give_back(key, chunk_id: int) -> None:
    with _idle_lock:
        _idle[key].append(chunk_id)


def forget_all() -> None:
    """Drop this process's idle chunk list (tests; after a fork)."""
    with _idle_lock:
        _idle.clear()


def draw(*, pool, project, need: int, day: int) -> tuple[int | None, int]:
    """Inside a gift's transaction: take up to `need` fen of `pool`'s money for a gift to
    `project` on day `day` of the window. Returns the chunk drawn on and the amount (at most
    `need`; less only when the pool, its released tranches or the project's cap have less
    left; 0 when nothing is left or the pool is no longer active)."""
    if need <= 0:
        return None, 0
    key = _key(pool, project)
    now = timezone.now()
    # In a settler's batch (core.events.batch) the chunk this transaction already holds
    # for the key serves the next gift too: one chunk per pool per batch, not one per gift.
    # Its room is known once drawn on (this transaction holds its row), so the batch's next
    # gifts draw on it here and write their sum when the batch ends: one increment per
    # chunk per batch.
    batch = events.batch_state()
    held = batch.setdefault("matching.chunks", {}) if batch is not None else None
    reused = held is not None and key in held
    chunk_id = held[key] if reused else _take(key)
    if reused and chunk_id in batch.get("matching.room", {}):
        room = batch["matching.room"]
        if need <= room[chunk_id]:
            room[chunk_id] -= need
            _drawn_later(batch, chunk_id, need)
            return chunk_id, need
    elif chunk_id is not None:
        if batch is not None:
            left = sql.chunk_draw(chunk_id=chunk_id, pool_id=key[0], project_id=key[1], need=need, now=now)
            if left is not None:
                batch.setdefault("matching.room", {})[chunk_id] = left
            drawn = left is not None
        else:
            drawn = PoolChunk.objects.filter(
                pk=chunk_id, pool_id=key[0], project_id=key[1], closed_at__isnull=True, used__lte=F("size") - need
            ).update(used=F("used") + need, leased_at=now)
        if drawn:
            if not reused:
                transaction.on_commit(lambda: _give_back(key, chunk_id))
                if held is not None:
                    held[key] = chunk_id
            return chunk_id, need
    if chunk_id is None and _looks_dry(pool, key, day):
        return None, 0
    cut_id, amount = _cut(pool=pool, project=project, need=need, day=day, key=key, spent_chunk=chunk_id, now=now)
    if held is not None:
        # The batch's next gift draws on the new chunk (a full one is closed by its next cut).
        if cut_id is None:
            held.pop(key, None)
        else:
            held[key] = cut_id
    return cut_id, amount


def _drawn_later(batch: dict, chunk_id: int, amount: int) -> None:
    """A draw the batch writes when it ends (with the others on the same chunk)."""
    drawn = batch.setdefault("matching.drawn", {})
    if not drawn:
        events.at_batch_end(lambda: _drawn_now(batch))
    drawn[chunk_id] = drawn.get(chunk_id, 0) + amount


def _drawn_now(batch: dict | None = None) -> None:
    """Write what the batch drew on its chunks and not yet written (one increment per
    chunk), and forget their known room: before anything reads or closes chunks in the
    batch's transaction (a cut, a sweep, a pool closing), and when the batch ends."""
    batch = events.batch_state() if batch is None else batch
    if batch is None:
        return
    drawn = batch.get("matching.drawn")
    if drawn:
        now = timezone.now()
        for chunk_id, amount in drawn.items():
            PoolChunk.objects.filter(pk=chunk_id).update(used=F("used") + amount, leased_at=now)
        drawn.clear()
    batch.pop("matching.room", None)


def _looks_dry(pool, key, day: int) -> bool:
    """Without any lock: nothing is left to cut and no open chunk has room. Then a gift
    does not queue on the pool's row only to find it empty (once a pool runs out, every
    later gift would). Money that comes back later (refunds, idle chunks) is cut again by
    the next gift that finds it here."""
    _drawn_now()
    fresh = Pool.objects.filter(pk=pool.pk).values_list("deposited", "allotted").first()
    if fresh is None or min(fresh[0], rules.released(pool.rules, day)) > fresh[1]:
        return False
    open_chunks = PoolChunk.objects.filter(pool_id=pool.pk, closed_at__isnull=True, used__lt=F("size"))
    if key[1] is not None:
        open_chunks = open_chunks.filter(project_id=key[1])
    return not open_chunks.exists()


def _cut(*, pool, project, need, day, key, spent_chunk, now) -> tuple[int | None, int]:
    """The chunk at hand is missing, closed or too small: lock the pool's row and cut a new
    chunk (closing the old one and giving its rest back first)."""
    _drawn_now()
    locked = pool_lock(pool.pk)
    if spent_chunk is not None:
        _close(locked, PoolChunk.objects.filter(pk=spent_chunk, closed_at__isnull=True), now)
    if locked.status != states.ACTIVE:
        return None, 0
    free = _free(locked, project, day)
    if free < need:
        # The pool is running dry: bring back what other processes' idle chunks still hold.
        _close(locked, _sweepable(locked, project), now)
        free = _free(locked, project, day)
    size = rules.chunk_size(free=free, need=need, share=settings.JUSHA_MATCHING["chunk_share"])
    if size <= 0:
        return None, 0
    amount = min(need, size)
    chunk = PoolChunk.objects.create(
        pool=locked, project=project if key[1] is not None else None, size=size, used=amount, owner=OWNER,
        leased_at=now,
    )
    Pool.objects.filter(pk=locked.pk).update(allotted=F("allotted") + size)
    batch = events.batch_state()
    if batch is not None:
        batch.setdefault("matching.room", {})[chunk.pk] = size - amount  # a new chunk: this transaction's alone
    if size > amount:
        transaction.on_commit(lambda: _give_back(key, chunk.pk))
    return chunk.pk, amount


def _free(pool: Pool, project, day: int) -> int:
    """What may still be cut from the locked pool: released so far and deposited, less what
    is allotted; for a pool with a project cap, also what the project's cap leaves."""
    free = min(pool.deposited, rules.released(pool.rules, day)) - pool.allotted
    if pool.project_cap is not None:
        free = min(free, pool.project_cap - project_allotted(pool, project))
    return free


def chunk_holdings() -> dict:
    """Aggregates over chunks: what `open` ones hold whole and what `closed` ones used; with
    matches' returns taken off, their sum is what a pool has allotted."""
    return {"open": Sum("size", filter=Q(closed_at__isnull=True)), "closed": Sum("used", filter=Q(closed_at__isnull=False))}


def project_allotted(pool: Pool, project) -> int:
    """A capped project's share of the pool's allotment: its open chunks whole, its closed
    chunks as used, less its matches' returns (read under the pool's lock)."""
    _drawn_now()
    chunks = PoolChunk.objects.filter(pool=pool, project=project).aggregate(**chunk_holdings())
    returned = Match.objects.filter(pool=pool, project=project).aggregate(t=Sum("returned"))["t"] or 0
    return (chunks["open"] or 0) + (chunks["closed"] or 0) - returned


def _sweepable(pool: Pool, project):
    """Open chunks of the pool (for this project, when it has a cap) that no transaction is
    drawing on right now: a chunk being drawn on is row-locked and skipped."""
    chunks = PoolChunk.objects.filter(pool=pool, closed_at__isnull=True)
    if pool.project_cap is not None:
        chunks = chunks.filter(project=project)
    if connection.features.has_select_for_update_skip_locked:
        chunks = chunks.select_for_update(skip_locked=True, no_key=True)
    return chunks


def _close(pool: Pool, chunks, now) -> int:
    """Close chunks of the locked pool; their unused rest goes back to it. Returns fen back."""
    _drawn_now()
    back = 0
    for chunk in list(chunks.filter(closed_at__isnull=True)):
        if PoolChunk.objects.filter(pk=chunk.pk, closed_at__isnull=True).update(closed_at=now):
            back += chunk.size - chunk.used
    if back:
        Pool.objects.filter(pk=pool.pk).update(allotted=F("allotted") - back)
        pool.allotted -= back
    return back


def chunks_close_pool(pool: Pool) -> int:
    """Close every open chunk of a pool (the caller holds its row lock: the pool closes)."""
    return _close(pool, PoolChunk.objects.filter(pool=pool).select_for_update(no_key=True), timezone.now())


def pool_give_back(pool_id: int, amount: int) -> None:
    """Matches returned (refunds, rejected holds) free their money in the pool again. The
    caller holds the pool's row lock."""
    if amount > 0:
        Pool.objects.filter(pk=pool_id).update(allotted=F("allotted") - amount)


def chunks_return_idle(*, idle_seconds: float | None = None, now=None) -> int:
    """Periodic: close chunks nobody has drawn on for a while (their process stopped,
    crashed or sees no gifts) and give their rest back to their pools. Returns fen given
    back. A chunk a transaction is drawing on right now is skipped (and not idle)."""
    now = now or timezone.now()
    idle = settings.JUSHA_MATCHING["chunk_idle_seconds"] if idle_seconds is None else idle_seconds
    cutoff = now - timedelta(seconds=idle)
    back = 0
    pool_ids = PoolChunk.objects.filter(closed_at__isnull=True, leased_at__lte=cutoff).values_list("pool_id", flat=True)
    for pool_id in sorted(set(pool_ids)):
        with transaction.atomic():
            pool = pool_lock(pool_id)
            chunks = PoolChunk.objects.filter(pool=pool, leased_at__lte=cutoff)
            if connection.features.has_select_for_update_skip_locked:
                chunks = chunks.select_for_update(skip_locked=True, no_key=True)
            back += _close(pool, chunks, now)
    return back
