"""The create request's project read in plain SQL (DESIGN.md: the hot path may go below the
ORM, in one plainly named module per app); the ORM everywhere else.

`project_with_totals` reads a project by its slug, its organisation and its running totals
per kind (the sum of its shards, as `selectors.project_sums` reads them) in ONE statement:
the ORM needs two (the project with its organisation, then the grouped totals) and spends
more Python compiling them than the database spends running them. The rows are turned
into model instances with the same converters the ORM applies, so a project read here is
the project the ORM would have loaded (booleans, times and files alike on SQLite).
"""

from __future__ import annotations

from django.db import connection

from jusha.core import sql as core_sql
from jusha.organisations.models import Organisation
from jusha.projects.models import Project, ProjectTotal

_plans: dict[str, str] = {}  # per database vendor: the statement


def _plan() -> str:
    sql = _plans.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        concat = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        sql = _plans[connection.vendor] = (
            f"SELECT {core_sql.columns(Project, 'p')}, {core_sql.columns(Organisation, 'o')}, "
            f"(SELECT {concat}(x.kind || ':' || CAST(x.total AS TEXT), ',') FROM "
            f"(SELECT t.kind AS kind, SUM(t.amount) AS total FROM {quote(ProjectTotal._meta.db_table)} t "
            f"WHERE t.project_id = p.{quote(Project._meta.pk.column)} GROUP BY t.kind) x) "
            f"FROM {quote(Project._meta.db_table)} p "
            f"JOIN {quote(Organisation._meta.db_table)} o ON o.{quote(Organisation._meta.pk.column)} = p."
            f"{quote(Project._meta.get_field('organisation').column)} "
            "WHERE p.slug = %s"
        )
    return sql


def project_with_totals(slug: str) -> tuple[Project | None, dict[str, int]]:
    """(the project with its organisation loaded, {kind: total}) for a slug; (None, {}) when
    no project has it."""
    with connection.cursor() as cursor:
        cursor.execute(_plan(), [slug])
        row = cursor.fetchone()
    if row is None:
        return None, {}
    count, org_count = len(Project._meta.concrete_fields), len(Organisation._meta.concrete_fields)
    project = core_sql.instance(Project, row[:count])
    organisation = core_sql.instance(Organisation, row[count:count + org_count])
    Project._meta.get_field("organisation").set_cached_value(project, organisation)
    totals = {}
    for pair in (row[-1] or "").split(","):
        if pair:
            kind, total = pair.split(":")
            totals[kind] = int(total)
    return project, totals
