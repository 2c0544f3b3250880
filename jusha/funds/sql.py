"""The one statement of cause funds below the ORM (docs/peak.md, "Hot paths"): taking the
gift running totals of the projects a grant is about to fill, so that the grant sees every
gift being paid to them and no gift lands between its reading and its commit."""

from __future__ import annotations

from django.db import connection

from jusha.projects.models import ProjectTotal

# Every shard row of (project, "gift"), created empty where a shard has no row yet, and
# locked: `amount = amount` changes nothing, but the row stays locked until commit.
_LOCK = (
    "INSERT INTO {table} (project_id, kind, shard, amount, entries) VALUES {rows} "
    "ON CONFLICT (project_id, kind, shard) DO UPDATE SET amount = {table}.amount"
)


def gift_totals_lock(project_ids) -> None:
    """Lock the gift running totals of these projects until the caller's transaction ends.

    A gift adds to one of its project's `ProjectTotal.SHARDS` rows in its own transaction
    (ledger's upsert), and holds that row until it commits. This statement upserts every
    shard row of each project (an empty row where none exists, so that a gift cannot slip in
    by inserting one): it waits for the gifts being paid to them at this moment, and gifts
    paid after it wait for the caller's commit. A read of these projects' needs made after
    it (its own statement, so a fresh snapshot under READ COMMITTED) is exact until commit.
    Refunds and matches are other kinds: not waited for (a refund only makes a need larger).
    Projects in id order, so two callers never wait for each other in a cycle. SQLite runs
    one writer at a time: the statement is the same and changes nothing."""
    ids = sorted(set(project_ids))
    if not ids:
        return
    table = connection.ops.quote_name(ProjectTotal._meta.db_table)
    rows, params = [], []
    for project_id in ids:
        for shard in range(ProjectTotal.SHARDS):
            rows.append("(%s, %s, %s, 0, 0)")
            params += [project_id, ProjectTotal.Kind.GIFT.value, shard]
    with connection.cursor() as cursor:
        cursor.execute(_LOCK.format(table=table, rows=", ".join(rows)), params)
