"""The payment notification's hot statements in plain SQL (DESIGN.md: the hot path may go
below the ORM, in one plainly named module per app); the ORM everywhere else.

`donation_accept` writes what accepting a paid gift writes once the gift's row is locked
and its transition checked (services.donation_payment_succeeded): the gift paid (an
UPDATE that also requires the status it was read in), its status change and its journal
entry with postings and its project's shard increment (ledger.sql). On PostgreSQL that is
ONE statement (data-modifying CTEs; the status change and the entry are written only when
the UPDATE took the row); SQLite runs simple statements in the same transaction.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict
from jusha.giving.models import Donation, StatusChange
from jusha.ledger import sql as ledger_sql
from jusha.ledger.services import gift_entry, gift_journal


def donation_accept(*, donation: Donation, source: str, reason: str) -> None:
    """`donation` (locked by the caller, in `source` status) carries its new status,
    paid_at, receipt_number, overflow and arrived_late: write them, its status change and
    its journal entry. Conflict when the gift is journalled already (nothing written)."""
    if connection.vendor != "postgresql":
        _accept_simple(donation=donation, source=source, reason=reason)
        return
    quote = connection.ops.quote_name
    donations, changes = quote(Donation._meta.db_table), quote(StatusChange._meta.db_table)
    entry = gift_entry(donation=donation)
    entry_ctes, entry_args = ledger_sql.entry_ctes(**entry, after="d")
    ctes = [
        f"d AS (UPDATE {donations} SET status = %s, paid_at = %s, receipt_number = %s, overflow = %s, "
        "arrived_late = %s WHERE id = %s AND status = %s RETURNING id)",
        f"s AS (INSERT INTO {changes} (donation_id, source, target, reason, actor_id, created_at) "
        "SELECT d.id, %s, %s, %s, NULL, %s FROM d)",
        *entry_ctes,
    ]
    args = [
        donation.status, donation.paid_at, donation.receipt_number, donation.overflow, donation.arrived_late,
        donation.pk, source,
        source, donation.status, reason[:200], entry["created_at"],
        *entry_args,
    ]
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(ctes) + " SELECT (SELECT count(*) FROM d), (SELECT id FROM e)", args)
        updated, entry_id = cursor.fetchone()
    if not updated:  # the caller holds the row's lock and saw `source`: a programming error
        raise RuntimeError(f"donation {donation.pk} was not in status {source!r}")
    if entry_id is None:
        raise Conflict(_("This movement is already in the journal."), code="already_journalled")


def _accept_simple(*, donation: Donation, source: str, reason: str) -> None:
    StatusChange.objects.create(donation=donation, source=source, target=donation.status, reason=reason[:200])
    donation.save(update_fields=["status", "paid_at", "receipt_number", "overflow", "arrived_late"])
    gift_journal(donation=donation)
