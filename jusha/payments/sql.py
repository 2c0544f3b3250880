"""The payment notification's hot statements in plain SQL (DESIGN.md: the hot path may go
below the ORM, in one plainly named module per app); the ORM everywhere else in payments.

- `charge_complete`: the sandbox's charge taken from "requires payment" to its result in
  ONE statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35 alike), instead of a
  transaction that locks the row, reads it and writes it back. When it changes no row
  (unknown, or completed already) the caller reads the charge through the ORM.
"""

from __future__ import annotations

from django.db import connection

from jusha.payments.models import SandboxCharge


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
