"""Idempotency-Key handling for every create that moves money.

A key is scoped to its caller and kept at least 24 hours. The first request claims it in
its own committed transaction; the work and the stored response then commit together, so
a gift is never created without its key being marked done. A replay returns the original
status and body; the same key with another body is 422; a first request still running
is 409. A claim left behind by a crashed process is taken over after a grace period.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core import sql
from jusha.core.errors import BadRequest, Conflict, DomainError, Invalid
from jusha.core.models import IdempotencyRecord

STALE_AFTER = timedelta(minutes=2)
MAX_KEY_LENGTH = 255


def caller_scope(user) -> str:
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return "anon"


def request_fingerprint(method: str, path: str, payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def require_key(headers) -> str:
    key = (headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise BadRequest(_("The Idempotency-Key header is required."), code="idempotency_key_missing")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(_("The Idempotency-Key header is not a valid key."), code="idempotency_key_invalid")
    return key


class ReplayedError(DomainError):
    """The first request with this key was refused: a replay is refused the same way (the
    same status and body), through the same error handling as the first time."""

    def __init__(self, status: int, body: dict):
        body = dict(body or {})
        detail, code = body.pop("detail", ""), body.pop("code", "error")
        super().__init__(detail, code, extra=body)
        self.status = status


def run_idempotent(
    *, scope: str, key: str, fingerprint: str, work: Callable, own_transaction: bool = False
) -> tuple[int, dict, bool]:
    """Run `work` once per (scope, key). Returns (status, body, replayed); a replay of a
    refused first request raises ReplayedError with the first answer's status and body.

    By default `work()` runs in one transaction with the stored answer. With
    `own_transaction=True`, `work(done)` opens its own transaction (so that it can call
    another system, such as a payment provider, outside any) and calls `done(status, body)`
    inside the transaction that commits its writes: the answer is stored with the work, so
    a crash can never leave the work done and its key free. It may call `done` again later
    with a fuller answer (a refund the provider has since confirmed).
    """
    record = _claim(scope, key, fingerprint)
    if record.state == IdempotencyRecord.DONE:
        if record.status_code >= 400:
            raise ReplayedError(record.status_code, record.body)
        return record.status_code, record.body, True
    stored: list[tuple[int, dict]] = []  # answers committed
    written: list[tuple[int, dict]] = []  # answers written, committed or not

    def done(status: int, body: dict) -> None:
        _store(record, status, body)
        written.append((status, body))
        transaction.on_commit(lambda: stored.append((status, body)))  # at once when outside a transaction

    try:
        if own_transaction:
            status, body = work(done)
            # The answer returned is stored already when it is the last one committed, or,
            # inside a caller's transaction (which commits the work's writes and the answer
            # together, later), the last one written.
            if stored:
                last = stored[-1]
            else:
                last = written[-1] if written and transaction.get_connection().in_atomic_block else None
            if last != (status, body):
                done(status, body)
        else:
            with transaction.atomic():
                status, body = work()
                _store(record, status, body)
            stored.append((status, body))  # only once committed
    except DomainError as exc:
        if exc.status == 429 and not stored:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if not stored:
            _store(record, exc.status, {"detail": str(exc.detail), "code": exc.code, **exc.extra})
        raise
    except BaseException:
        if not stored:  # nothing was committed by the work: free the key so the caller can retry
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    return status, body, False


def _store(record: IdempotencyRecord, status: int, body: dict) -> None:
    sql.idempotency_store(record_id=record.pk, status=status, body=body, now=timezone.now())


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyRecord:
    # One statement (core.sql): committed at once outside a transaction; None when the key
    # is claimed already (nothing written, no error, so no savepoint inside a transaction).
    now = timezone.now()
    record_id = sql.idempotency_claim(scope=scope, key=key, fingerprint=fingerprint, now=now)
    if record_id is not None:
        return IdempotencyRecord(pk=record_id, scope=scope, key=key, fingerprint=fingerprint,
                                 state=IdempotencyRecord.RUNNING, created_at=now, updated_at=now)
    record = IdempotencyRecord.objects.get(scope=scope, key=key)
    if record.fingerprint != fingerprint:
        raise Invalid(
            _("This Idempotency-Key was already used for a different request."), code="idempotency_key_reused"
        )
    if record.state == IdempotencyRecord.DONE:
        return record
    if record.updated_at < timezone.now() - STALE_AFTER:
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, state=IdempotencyRecord.RUNNING, updated_at=record.updated_at
        ).update(updated_at=timezone.now())
        if taken:
            record.refresh_from_db()
            return record
    raise Conflict(_("A request with this Idempotency-Key is still in progress."), code="request_in_flight")


def purge_expired(*, older_than: timedelta) -> int:
    deleted, _unused = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
