"""Every write of the log: queuing facts, sequencing them, signing checkpoints, erasure,
collecting witnesses' cosignatures, and cosigning other logs' checkpoints as a witness."""

from __future__ import annotations

import base64
import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.errors import BadRequest, Conflict, Forbidden, Invalid
from jusha.core.sql import rows_insert_many
from jusha.transparency import keys, leaves, merkle, remote, selectors, tiles
from jusha.transparency.witnesses import log_witnesses, witnessed_logs
from jusha.transparency.models import (
    Checkpoint, EntryRun, Fact, FactSalt, MonitoredCheckpoint, MonitoredLog, Queued, Tile, WitnessedLog, WitnessState,
)
from jusha.transparency.monitor import Alarm, MonitorState, follow
from jusha.transparency.note import Checkpoint as CheckpointText
from jusha.transparency.note import NoteError, b64decode, open_checkpoint, parse_signature_line, parse_vkey, split_note

logger = logging.getLogger("jusha.transparency")

SEQUENCER_LOCK = 0x4A55534841  # pg_advisory_xact_lock key: "JUSHA"


class LogIntegrityError(RuntimeError):
    """The log refused to sign: what it holds is not consistent with what it signed."""


_batched: contextvars.ContextVar[list | None] = contextvars.ContextVar("jusha_facts_batched", default=None)


@contextlib.contextmanager
def facts_batched():
    """A batch (the gift settler's): facts queued with `batched=True` inside, and those the
    caller adds to the yielded list as (kind, public, personal), are written together when
    the block ends without an error (`facts_queue_many`: three bulk inserts), in the
    caller's transaction, in the order they were queued."""
    outer = _batched.get()
    if outer is not None:  # nested: the outer batch writes them
        yield outer
        return
    pending: list = []
    token = _batched.set(pending)
    try:
        yield pending
        facts_queue_many(pending)
    finally:
        _batched.reset(token)


def facts_are_batched() -> bool:
    """Whether facts queued with `batched=True` now wait for the batch's end (facts_batched)."""
    return _batched.get() is not None


def fact_queue(*, kind: str, public: dict, personal: dict | None = None, batched: bool = False) -> None:
    """Queue a public fact for the log, inside the transaction that creates it (`batched`:
    inside `facts_batched()`, with the batch's other facts when it ends).

    `public` holds what anyone may read forever: ids, receipt numbers, amounts in integer
    minor units; never names, emails or messages. Its "id", if any, is the creating
    record's id and makes the fact findable (a donation's `log_index`). `personal` appears
    in the log only as a commitment salted with a random salt kept outside the log.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("fact_queue must be called inside the transaction that creates the fact")
    pending = _batched.get() if batched else None
    if pending is not None:
        pending.append((kind, public, personal))
        return
    salt = leaves.new_salt() if personal else None
    data = leaves.build(kind, public, leaves.commitment(salt, personal) if salt else None)
    fact = Fact.objects.create(kind=kind, ref=str(public.get("id", ""))[:64], leaf=data)
    Queued.objects.create(fact=fact)
    if salt:
        FactSalt.objects.create(fact=fact, salt=salt)


def facts_queue_many(items: list[tuple[str, dict, dict | None]]) -> None:
    """`fact_queue` for many facts at once, (kind, public, personal) each: three bulk
    inserts whatever their number (the gift settler's batch). Same rules as `fact_queue`."""
    if not connection.in_atomic_block:
        raise RuntimeError("facts_queue_many must be called inside the transaction that creates the facts")
    if not items:
        return
    salts, facts = [], []
    for kind, public, personal in items:
        salt = leaves.new_salt() if personal else None
        salts.append(salt)
        facts.append(Fact(kind=kind, ref=str(public.get("id", ""))[:64],
                          leaf=leaves.build(kind, public, leaves.commitment(salt, personal) if salt else None)))
    rows_insert_many(facts)  # ids come back (RETURNING, PostgreSQL and SQLite alike)
    rows_insert_many([Queued(fact=fact) for fact in facts])
    rows_insert_many([FactSalt(fact=fact, salt=salt) for fact, salt in zip(facts, salts, strict=True) if salt])


@transaction.atomic
def fact_erase_personal(*, kind: str, ref: str) -> int:
    """Erasure: delete the salts of a record's facts. The log keeps its commitments, which
    from now on cannot be linked to anyone."""
    deleted, _detail = FactSalt.objects.filter(fact__kind=kind, fact__ref=ref).delete()
    return deleted


# --- the sequencer ----------------------------------------------------------------------

def log_sequence(*, batch: int | None = None, budget: float = 5.0) -> int:
    """Periodic (the worker, twice a second): integrate queued facts, batch by batch, each
    batch in one transaction with its signed checkpoint. Returns how many were integrated."""
    batch = batch or settings.JUSHA_LOG_BATCH
    started, total = time.monotonic(), 0
    while True:
        count = _integrate(batch)
        total += count
        if count < batch or time.monotonic() - started > budget:
            return total


def _lock() -> None:
    """One sequencer at a time. PostgreSQL: an advisory lock held to the end of the
    transaction; SQLite: the write lock its IMMEDIATE transactions take at BEGIN."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])


def _queued(limit: int) -> list[tuple[int, bytes]]:
    """The oldest queued facts (id, leaf), in id order: index lookups only, however many
    facts the log already holds."""
    ids = list(Queued.objects.order_by("fact_id").values_list("fact_id", flat=True)[:limit])
    leaves = {}
    for condition in selectors.id_conditions(ids, "id"):
        leaves.update(Fact.objects.filter(condition).values_list("id", "leaf"))
    return [(i, bytes(leaves[i])) for i in ids]


@transaction.atomic
def _integrate(limit: int) -> int:
    _lock()
    head = selectors.log_head()
    rows = _queued(limit)
    if not rows:
        if not Checkpoint.objects.exists():
            checkpoint_sign(size=0, root=merkle.EMPTY_ROOT)
        return 0
    try:
        partials = selectors.partial_tiles(head.size)
    except LookupError as exc:
        raise LogIntegrityError(str(exc)) from exc
    leaf_hash = merkle.leaf_hash
    size, changed = tiles.append_leaves(head.size, partials, [leaf_hash(leaf) for _id, leaf in rows])
    ids = [pk for pk, _leaf in rows]
    for condition in selectors.id_conditions(ids, "fact_id"):
        Queued.objects.filter(condition).delete()
    runs = list(selectors.id_runs(ids))
    EntryRun.objects.bulk_create([EntryRun(first_fact=first, last_fact=last, first_index=head.size + position)
                                  for first, last, position in runs])
    Tile.objects.bulk_create(
        [Tile.make(level, index, data) for (level, index), data in changed.items()],
        update_conflicts=True, unique_fields=["key"], update_fields=["hashes"],
    )
    current = {ref.level: changed.get((ref.level, ref.index)) or partials[ref.level] for ref in tiles.partial_tiles(size)}
    checkpoint_sign(size=size, root=tiles.root_from_partials(size, current))
    return len(rows)


def checkpoint_sign(*, size: int, root: bytes) -> Checkpoint:
    """Sign a tree head, inside the sequencer's transaction, after proving it consistent
    with the last one signed: the log never signs two checkpoints that disagree."""
    head = selectors.log_head()
    if size < head.size:
        raise LogIntegrityError(f"refusing to sign size {size}: size {head.size} is signed already")
    if size == head.size and (head.note or root != head.root):
        raise LogIntegrityError(f"refusing to sign size {size} twice")
    if selectors.entry_count() != size:
        raise LogIntegrityError(f"the log holds {selectors.entry_count()} entries, not {size}")
    try:
        if head.size:
            proof = selectors.consistency_proof(head.size, size)
            merkle.verify_consistency(head.size, size, proof, head.root, root)
        if size and selectors.tree_head(size) != root:
            raise merkle.ProofError("the stored tiles do not hash to the new root")
    except (merkle.ProofError, LookupError) as exc:
        raise LogIntegrityError(f"size {size} is not consistent with the signed size {head.size}: {exc}") from exc
    text = CheckpointText(settings.JUSHA_LOG_ORIGIN, size, root).text
    note = text + "\n" + keys.log_signer().signature_line(text.encode())
    return Checkpoint.objects.create(size=size, root=root, note=note)


# --- witnesses cosigning our checkpoints ------------------------------------------------

def log_witness_collect(*, post=None) -> int:
    """Periodic: ask each configured witness to cosign the latest checkpoint, and attach
    the cosignatures it returns (verified against its key) to that checkpoint."""
    post = post or remote.post_text
    head = selectors.log_head()
    added = 0
    if not head.size:
        return 0
    for vkey, url in log_witnesses():
        verifier = parse_vkey(vkey)
        state, _created = WitnessState.objects.get_or_create(name=verifier.name)
        if state.size == head.size:
            continue
        try:
            lines = _ask_witness(post, url, verifier, state, head)
        except Exception as exc:  # noqa: BLE001 - one witness down must not stop the others
            logger.warning("witness %s did not cosign size %s: %s", verifier.name, head.size, exc)
            continue
        with transaction.atomic():
            checkpoint = Checkpoint.objects.select_for_update().get(size=head.size)
            new = [line for line in lines if line not in checkpoint.note]
            checkpoint.note += "".join(new)
            checkpoint.save(update_fields=["note"])
        WitnessState.objects.filter(pk=state.pk).update(size=head.size)
        added += len(new)
    return added


def _ask_witness(post, url: str, verifier, state: WitnessState, head) -> list[str]:
    old = state.size
    for _attempt in range(2):
        proof = selectors.consistency_proof(old, head.size) if 0 < old < head.size else []
        body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + head.note
        status, answer = post(url.rstrip("/") + "/add-checkpoint", body)
        if status == 409 and answer.strip().isdigit() and int(answer) != old:
            old = int(answer)  # the witness holds another size: once more from there
            continue
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {answer[:200]}")
        text, _signatures = split_note(head.note)
        good = []
        for line in answer.splitlines(keepends=True):
            sig = parse_signature_line(line)
            if (sig.name, sig.key_id) == (verifier.name, verifier.key_id) and verifier.verify(text.encode(), sig.signature):
                good.append(line)
        if not good:
            raise RuntimeError("no valid cosignature in the answer")
        return good
    raise RuntimeError("the witness keeps answering with another size")


# --- our witness: cosigning other logs --------------------------------------------------

def witness_add_checkpoint(body: str) -> str:
    """C2SP tlog-witness add-checkpoint: verify a checkpoint of a listed log and its
    consistency with the last one we cosigned for it; record it and return our cosignature."""
    head, sep, note = body.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old ") or not lines[0][4:].isdigit() or len(lines) > 64:
        raise BadRequest(_("The body must be an old size line, proof lines, a blank line and a checkpoint."), code="malformed")
    old = int(lines[0][4:])
    try:
        proof = [_b64hash(line) for line in lines[1:]]
        text, _signatures = split_note(note)
        claimed = text.split("\n", 1)[0]
    except (NoteError, ValueError) as exc:
        raise BadRequest(_("The checkpoint or the proof is malformed."), code="malformed") from exc
    verifier = next((v for v in map(parse_vkey, witnessed_logs()) if v.name == claimed), None)
    if verifier is None:
        raise Forbidden(_("This witness does not cosign that log."), code="unknown_log")
    try:
        checkpoint, _cosigners = open_checkpoint(note, verifier)
    except NoteError as exc:
        if exc.check in ("signature", "origin"):
            raise Forbidden(_("The checkpoint is not signed by the log's key."), code="bad_signature") from exc
        raise BadRequest(_("The checkpoint or the proof is malformed."), code="malformed") from exc
    if old > checkpoint.size:
        raise BadRequest(_("The old size is larger than the checkpoint's size."), code="old_size_too_large")
    WitnessedLog.objects.get_or_create(origin=checkpoint.origin)  # then locked, checked and updated at once
    with transaction.atomic():
        state = WitnessedLog.objects.select_for_update().get(origin=checkpoint.origin)
        if old != state.size:
            raise Conflict(_("The witness holds another size for this log."), code="stale_old_size", extra={"size": state.size})
        if old == checkpoint.size:
            if state.size and bytes(state.root) != checkpoint.root:
                raise Conflict(_("Same size, different root: this log has forked."),
                               code="root_mismatch", extra={"size": state.size})
        elif old == 0:
            if proof:
                raise Invalid(_("A proof from size 0 must be empty."), code="bad_proof")
        else:
            try:
                merkle.verify_consistency(old, checkpoint.size, proof, bytes(state.root), checkpoint.root)
            except merkle.ProofError as exc:
                logger.warning("witness: inconsistent checkpoint from %s: %s", checkpoint.origin, exc)
                raise Invalid(_("The consistency proof does not verify."), code="bad_proof") from exc
        state.size, state.root, state.note = checkpoint.size, checkpoint.root, note
        state.save(update_fields=["size", "root", "note", "updated_at"])
    return keys.witness_signer().signature_line(checkpoint.text.encode(), int(time.time()))


def _b64hash(line: str) -> bytes:
    digest = b64decode(line)
    if len(digest) != merkle.HASH_SIZE:
        raise ValueError("not a 32-byte hash")
    return digest


# --- monitoring another (or our own) log ------------------------------------------------

def log_monitor_run(*, url: str, vkey: str | None = None, fetch=None) -> str:
    """Follow a log once: verify its new checkpoint against everything seen before, and
    record it. Raises monitor.Alarm on a fork, a rewrite, a bad signature or a rollback
    (the alarm is recorded on the log too). Returns what was checked, in plain words."""
    fetch = fetch or remote.get
    url = url.rstrip("/")
    log = MonitoredLog.objects.filter(url=url).first()
    if log is None:
        vkey = vkey or fetch(f"{url}/key").decode().strip()
        log = MonitoredLog.objects.create(url=url, vkey=vkey)
    elif vkey and vkey != log.vkey:
        raise Alarm("key", f"{url} is followed with another key ({log.vkey}); a log's key does not change silently")
    data = bytes(log.compact)
    state = MonitorState(log.size, [data[i : i + 32] for i in range(0, len(data), 32)],
                         {size: bytes(root) for size, root in log.checkpoints.values_list("size", "root")})
    try:
        checkpoint, note, new = follow(url, parse_vkey(log.vkey), state, fetch)
    except Alarm as alarm:
        MonitoredLog.objects.filter(pk=log.pk).update(alarm=f"{alarm.kind}: {alarm}", checked_at=timezone.now())
        raise
    with transaction.atomic():
        MonitoredLog.objects.filter(pk=log.pk).update(
            size=new.size, compact=b"".join(new.compact), alarm="", checked_at=timezone.now())
        MonitoredCheckpoint.objects.get_or_create(
            log=log, size=checkpoint.size, defaults={"root": checkpoint.root, "note": note})
    grown = new.size - state.size
    return (f"{url}: checkpoint of size {checkpoint.size} signed by {log.vkey.split('+')[0]}; "
            f"{grown} new entries re-hashed; consistent with the {len(state.seen)} checkpoint(s) seen before")
