"""The journal's hot statements in plain SQL (DESIGN.md: the hot path may go below the ORM,
in one plainly named module per app). Everything else in the ledger uses the ORM.

`entry_write` posts one journal entry: the entry (`ON CONFLICT (kind, reference) DO
NOTHING`, so a second posting of the same movement writes nothing and fails no
statement), its postings, and the increment of one shard of its project's running total.
On PostgreSQL that is ONE statement (data-modifying CTEs: the postings and the increment
select from the entry's RETURNING, so they are written only when the entry is); SQLite
runs the same three writes as three simple statements in the caller's transaction.
"""

from __future__ import annotations

from django.db import connection

from jusha.ledger.models import JournalEntry, Posting
from jusha.projects.models import ProjectTotal


def _tables() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return (quote(JournalEntry._meta.db_table), quote(Posting._meta.db_table), quote(ProjectTotal._meta.db_table))


_ENTRY = (
    "INSERT INTO {entries} (kind, reference, project_id, currency, amount, memo, created_by_id, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (kind, reference) DO NOTHING RETURNING id"
)
_TOTAL = (
    "INSERT INTO {totals} (project_id, kind, shard, amount, entries) {source} "
    "ON CONFLICT (project_id, kind, shard) DO UPDATE "
    "SET amount = {totals}.amount + excluded.amount, entries = {totals}.entries + excluded.entries"
)


def entry_ctes(*, kind: str, reference: str, project_id: int | None, currency: str, amount: int, memo: str,
               created_by_id: int | None, created_at, postings: list[tuple[int, int]], shard: int,
               after: str | None = None) -> tuple[list[str], list]:
    """PostgreSQL only: the entry, its postings and its shard's increment as data-modifying
    CTEs named `e`, `p` and `t` (the entry's id is `SELECT id FROM e`, none when (kind,
    reference) is journalled already), for a caller to put in its own WITH. With `after`
    (the name of an earlier CTE of the caller's), the entry is written only when that CTE
    returned a row: a higher app's own write and its journal entry in one statement."""
    entries, posting_table, totals = _tables()
    source = f" FROM {after}" if after else ""
    values = ", ".join(["(%s::bigint, %s::bigint)"] * len(postings))
    ctes = [
        f"e AS (INSERT INTO {entries} (kind, reference, project_id, currency, amount, memo, created_by_id, created_at) "
        f"SELECT %s, %s, %s::bigint, %s, %s::bigint, %s, %s::bigint, %s::timestamptz{source} "
        "ON CONFLICT (kind, reference) DO NOTHING RETURNING id)",
        f"p AS (INSERT INTO {posting_table} (entry_id, account_id, amount, currency) "
        f"SELECT e.id, v.account_id, v.amount, %s FROM e, (VALUES {values}) AS v(account_id, amount))",
    ]
    args = [kind, reference, project_id, currency, amount, memo, created_by_id, created_at,
            currency, *[x for line in postings for x in line]]
    if project_id is not None:
        ctes.append("t AS (" + _TOTAL.format(totals=totals, source="SELECT %s::bigint, %s, %s, %s::bigint, 1 FROM e") + ")")
        args += [project_id, kind, shard, amount]
    return ctes, args


def entry_write(*, kind: str, reference: str, project_id: int | None, currency: str, amount: int, memo: str,
                created_by_id: int | None, created_at, postings: list[tuple[int, int]], shard: int) -> int | None:
    """Write one balanced entry (postings: (account id, signed amount) in `currency`) and, for
    a project's entry, add it to shard `shard` of the project's total for `kind`. Returns
    the entry's id, or None when (kind, reference) is journalled already (nothing written)."""
    if connection.vendor == "postgresql":
        ctes, args = entry_ctes(kind=kind, reference=reference, project_id=project_id, currency=currency,
                                amount=amount, memo=memo, created_by_id=created_by_id, created_at=created_at,
                                postings=postings, shard=shard)
        with connection.cursor() as cursor:
            cursor.execute("WITH " + ", ".join(ctes) + " SELECT id FROM e", args)
            row = cursor.fetchone()
        return row[0] if row else None
    return entry_write_simple(kind=kind, reference=reference, project_id=project_id, currency=currency,
                              amount=amount, memo=memo, created_by_id=created_by_id, created_at=created_at,
                              postings=postings, shard=shard)


def entry_write_simple(*, kind: str, reference: str, project_id: int | None, currency: str, amount: int, memo: str,
                       created_by_id: int | None, created_at, postings: list[tuple[int, int]], shard: int) -> int | None:
    """The same writes as simple statements (SQLite: no data-modifying CTEs)."""
    entries, posting_table, totals = _tables()
    entry_args = [kind, reference, project_id, currency, amount, memo, created_by_id,
                  connection.ops.adapt_datetimefield_value(created_at)]
    with connection.cursor() as cursor:
        cursor.execute(_ENTRY.format(entries=entries), entry_args)
        row = cursor.fetchone()
        if not row:
            return None
        entry_id = row[0]
        cursor.execute(
            f"INSERT INTO {posting_table} (entry_id, account_id, amount, currency) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(postings)),
            [x for account_id, value in postings for x in (entry_id, account_id, value, currency)],
        )
        if project_id is not None:
            cursor.execute(_TOTAL.format(totals=totals, source="VALUES (%s, %s, %s, %s, 1)"),
                           [project_id, kind, shard, amount])
    return entry_id


_MANY = (
    "WITH v (n, kind, reference, project_id, currency, amount, memo, created_by_id, created_at, shard) AS "
    "(SELECT * FROM unnest(%s::int[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::bigint[], %s::text[], "
    "%s::bigint[], %s::timestamptz[], %s::int[])), "
    "l (n, account_id, amount) AS (SELECT * FROM unnest(%s::int[], %s::bigint[], %s::bigint[])), "
    "e AS (INSERT INTO {table} (kind, reference, project_id, currency, amount, memo, created_by_id, created_at) "
    "SELECT kind, reference, project_id, currency, amount, memo, created_by_id, created_at FROM v ORDER BY n "
    "ON CONFLICT (kind, reference) DO NOTHING RETURNING id, kind, reference), "
    "w AS (SELECT e.id, v.* FROM e JOIN v ON v.kind = e.kind AND v.reference = e.reference), "
    "p AS (INSERT INTO {posting_table} (entry_id, account_id, amount, currency) "
    "SELECT w.id, l.account_id, l.amount, w.currency FROM w JOIN l ON l.n = w.n), "
    "t AS ({totals}) "
    "SELECT count(*) FROM e"
)


def entries_write_many(entries: list[dict]) -> int:
    """Write many entries (each as `entry_ctes` takes it, `shard` included) at once: on
    PostgreSQL ONE statement for the lot (the entries, all their postings, and one increment
    per (project, kind, shard) with the entries' sum and count); on SQLite one entry at a
    time. Returns how many entries were written: fewer than given means some (kind,
    reference) was journalled already, and the caller must not commit (its transaction is
    rolled back by the Conflict the caller raises)."""
    if not entries:
        return 0
    if connection.vendor != "postgresql":
        return sum(entry_write_simple(**entry) is not None for entry in entries)
    table, posting_table, totals = _tables()
    # One array per column (unnest), not a VALUES list: the statement's text is the same
    # for any number of entries, so psycopg parses it once and PostgreSQL plans it once
    # per connection (a prepared statement), however large the batch.
    names = ("kind", "reference", "project_id", "currency", "amount", "memo", "created_by_id", "created_at", "shard")
    args = [list(range(len(entries)))] + [[entry[name] for entry in entries] for name in names]
    lines = [(n, account_id, amount) for n, entry in enumerate(entries) for account_id, amount in entry["postings"]]
    args += [list(column) for column in zip(*lines)] if lines else [[], [], []]
    sql = _MANY.format(table=table, posting_table=posting_table, totals=_TOTAL.format(totals=totals, source=(
        "SELECT project_id, kind, shard, sum(amount), count(*) FROM w WHERE project_id IS NOT NULL "
        "GROUP BY project_id, kind, shard")))
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchone()[0]
