"""The payment notification's hot statements in plain SQL (DESIGN.md: the hot path may go
below the ORM, in one plainly named module per app); the ORM everywhere else.

`donation_accept` writes what accepting a paid gift writes once the gift's row is locked
and its transition checked (services.donation_payment_succeeded): the gift paid (an
UPDATE that also requires the status it was read in), its status change and its journal
entry with postings and its project's shard increment (ledger.sql). On PostgreSQL that is
ONE statement (data-modifying CTEs; the status change and the entry are written only when
the UPDATE took the row); SQLite runs simple statements in the same transaction.

`donation_locked` reads what the acceptance decides from, on PostgreSQL in ONE statement:
the gift locked (its row only, never its project's), its project, and the project's
running totals. `donation_intent` is the sandbox's first look at a gift: its provider and
intent id, nothing else.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from jusha.core import sql as core_sql
from jusha.core.errors import Conflict
from jusha.giving.models import Donation, StatusChange
from jusha.ledger import sql as ledger_sql
from jusha.ledger.services import gift_entry, gift_journal
from jusha.projects.models import Project, ProjectTotal
from jusha.projects.selectors import ProjectSums, sums_from_totals


def donation_intent(*, donation_id) -> tuple[str, str | None] | None:
    """(provider, intent_id) of the gift `donation_id` (a UUID), or None if there is none."""
    donations = connection.ops.quote_name(Donation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT provider, intent_id FROM {donations} WHERE id = %s",
            [Donation._meta.pk.get_db_prep_value(donation_id, connection)],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


_locked_sql: str | None = None  # PostgreSQL only


def donation_locked(*, provider: str, intent_id: str) -> tuple[Donation, ProjectSums] | None:
    """PostgreSQL: the gift paid through `intent_id`, its row locked FOR UPDATE (of the gift
    only) and loaded with its project, and the project's sums, in one statement. None when
    there is no such gift or another transaction holds its row (SKIP LOCKED): the caller
    then takes the ORM's way, which waits for the lock and reads the totals after it, so
    the totals are never older than the lock."""
    global _locked_sql
    if _locked_sql is None:
        quote = connection.ops.quote_name
        donations, projects = quote(Donation._meta.db_table), quote(Project._meta.db_table)
        totals = quote(ProjectTotal._meta.db_table)
        _locked_sql = (
            f"SELECT {core_sql.columns(Donation, 'd')}, {core_sql.columns(Project, 'p')}, "
            f"ARRAY(SELECT t.kind FROM {totals} t WHERE t.project_id = d.project_id GROUP BY t.kind ORDER BY t.kind), "
            f"ARRAY(SELECT SUM(t.amount) FROM {totals} t WHERE t.project_id = d.project_id GROUP BY t.kind ORDER BY t.kind) "
            f"FROM {donations} d INNER JOIN {projects} p ON p.id = d.project_id "
            "WHERE d.provider = %s AND d.intent_id = %s ORDER BY d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED"
        )
    n = len(Donation._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(_locked_sql, [provider, intent_id])
        row = cursor.fetchone()
    if row is None:
        return None
    donation = core_sql.instance(Donation, row[:n])
    project = core_sql.instance(Project, row[n:-2])
    Donation.project.field.set_cached_value(donation, project)
    kinds, sums = row[-2], row[-1]
    return donation, sums_from_totals({kind: int(total or 0) for kind, total in zip(kinds, sums)})


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
