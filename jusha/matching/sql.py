"""Matching's hot statements in plain SQL (DESIGN.md: the hot path may go below the ORM, in
one plainly named module per app); the ORM everywhere else.

`recent_counts` counts, for many gifts at once (a settler's batch), what the anti-gaming
signals count for each gift in services._evidence: the paid gifts to its project in the
lookback window up to its own payment, from the same account, device and network, and
those since its tranche opened. One grouped statement for the whole batch instead of one
aggregate per gift; each gift's counts are exactly those of its own aggregate (the same
WHERE, the same filters per count). PostgreSQL reads the batch's gifts from arrays
(`unnest`), SQLite from a VALUES list.

`chunk_draw` is chunks.draw's conditional increment of a chunk's `used`, returning the
room left on it (RETURNING), so that the rest of a settler's batch draws on the chunk it
now holds without a statement per gift (chunks.draw).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from jusha.giving.models import Donation
from jusha.matching.models import GiftContext, PoolChunk


@dataclass(frozen=True)
class Recent:
    """One gift's question: its project's paid gifts with since <= paid_at <= until, counted
    where donor_id (else email), device hash, network hash match, and paid_at >= opening.
    None: not counted (the answer is then 0)."""

    project_id: int
    since: datetime
    until: datetime
    donor_id: int | None = None
    email: str | None = None  # only when donor_id is None
    device: str | None = None
    network: str | None = None
    opening: datetime | None = None


_MOST = 1000  # questions per statement (9 parameters each)
_COLUMNS = "k, project_id, since, until, donor_id, email, device, network, opening"
_PG_TYPES = ("int", "bigint", "timestamptz", "timestamptz", "bigint", "text", "text", "text", "timestamptz")

_COUNT = """{prefix}
SELECT g.k,
  SUM(CASE WHEN (g.donor_id IS NOT NULL AND d.donor_id = g.donor_id)
            OR (g.donor_id IS NULL AND g.email IS NOT NULL AND d.email = g.email) THEN 1 ELSE 0 END),
  SUM(CASE WHEN g.device IS NOT NULL AND c.device_hash = g.device THEN 1 ELSE 0 END),
  SUM(CASE WHEN g.network IS NOT NULL AND c.network_hash = g.network THEN 1 ELSE 0 END),
  SUM(CASE WHEN g.opening IS NOT NULL AND d.paid_at >= g.opening THEN 1 ELSE 0 END)
FROM {source}
JOIN {donations} d ON d.project_id = g.project_id AND d.status IN ({statuses})
  AND d.paid_at >= g.since AND d.paid_at <= g.until
LEFT JOIN {contexts} c ON c.donation_id = d.id
GROUP BY g.k
"""


def recent_counts(questions: list[Recent], statuses) -> list[tuple[int, int, int, int]]:
    """For each question, in order: (account, device, network, burst) counts."""
    if len(questions) > _MOST:  # SQLite's limit on a statement's parameters
        return [*recent_counts(questions[:_MOST], statuses), *recent_counts(questions[_MOST:], statuses)]
    if not questions:
        return []
    quote = connection.ops.quote_name
    statuses = list(statuses)
    columns = [
        list(range(len(questions))),
        *([getattr(q, name) for q in questions] for name in _COLUMNS.split(", ")[1:]),
    ]
    if connection.vendor == "postgresql":
        prefix, source = "", "unnest(" + ", ".join(f"%s::{kind}[]" for kind in _PG_TYPES) + f") AS g({_COLUMNS})"
        args = columns
    else:
        adapt = connection.ops.adapt_datetimefield_value
        rows = []
        for row in zip(*columns):
            rows.append([adapt(v) if isinstance(v, datetime) else v for v in row])
        values = ", ".join(["(" + ", ".join(["%s"] * 9) + ")"] * len(rows))
        prefix, source = f"WITH g({_COLUMNS}) AS (VALUES {values})", "g"
        args = [value for row in rows for value in row]
    sql = _COUNT.format(
        prefix=prefix, source=source, donations=quote(Donation._meta.db_table), contexts=quote(GiftContext._meta.db_table),
        statuses=", ".join(["%s"] * len(statuses)),
    )
    found = [(0, 0, 0, 0)] * len(questions)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, *statuses])
        for k, *counts in cursor.fetchall():
            found[k] = tuple(int(c or 0) for c in counts)
    return found


def chunk_draw(*, chunk_id: int, pool_id: int, project_id: int | None, need: int, now: datetime) -> int | None:
    """Draw `need` fen on an open chunk of the pool (and project, for a capped pool) that has
    room for it, as chunks.draw's conditional increment does: None when it has not (or is
    closed, or another's), else the room left on it after this draw (RETURNING; SQLite
    3.35+ alike), which the batch then draws on without a statement per gift."""
    table = connection.ops.quote_name(PoolChunk._meta.db_table)
    project = "project_id IS NULL" if project_id is None else "project_id = %s"
    args = [need, connection.ops.adapt_datetimefield_value(now), chunk_id, pool_id,
            *([] if project_id is None else [project_id]), need]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET used = used + %s, leased_at = %s WHERE id = %s AND pool_id = %s AND {project} "
            "AND closed_at IS NULL AND used <= size - %s RETURNING size - used", args)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
