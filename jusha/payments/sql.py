"""The payment notification's hot statements in plain SQL (DESIGN.md: the hot path may go
below the ORM, in one plainly named module per app); the ORM everywhere else in payments.

- `charge_complete`: the sandbox's charge taken from "requires payment" to its result in
  ONE statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35 alike), instead of a
  transaction that locks the row, reads it and writes it back. When it changes no row
  (unknown, or completed already) the caller reads the charge through the ORM.
- `event_insert`: a verified provider event recorded (a plain INSERT; the unique
  (provider, event_id) constraint refuses a replay with IntegrityError, as the ORM's
  create did).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from jusha.payments.models import PaymentEvent, SandboxCharge


def _prep(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def charge_complete(*, intent_id: str, source: str, target: str, now) -> dict | None:
    """Move the charge `intent_id` from `source` to `target` (completed at `now`). Returns
    what its notification needs (intent_id, status, amount, currency, reference), or None
    when no charge in `source` has this intent id (nothing written)."""
    table = connection.ops.quote_name(SandboxCharge._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, completed_at = %s WHERE intent_id = %s AND status = %s "
            "RETURNING intent_id, status, amount, currency, reference",
            [target, _prep(SandboxCharge, "completed_at", now), intent_id, source],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(("intent_id", "status", "amount", "currency", "reference"), row))


def event_insert(*, provider: str, event_id: str, intent_id: str, type: str, payload) -> None:
    """Record one provider event; IntegrityError when (provider, event_id) is recorded already."""
    table = connection.ops.quote_name(PaymentEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (provider, event_id, intent_id, type, payload, received_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [provider, event_id, intent_id, type, _prep(PaymentEvent, "payload", payload),
             _prep(PaymentEvent, "received_at", timezone.now())],
        )
