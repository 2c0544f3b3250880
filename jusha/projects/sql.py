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
from django.db.models import Model

from jusha.organisations.models import Organisation
from jusha.projects.models import Project, ProjectTotal

_plans: dict[str, tuple[str, list, list]] = {}  # per database vendor: the statement and its columns' converters


def _converters(model: type[Model], alias: str) -> list[tuple[str, object, list]]:
    """(attname, column, converters) per concrete field, in the model's order, as the ORM's
    compiler finds them for a plain column."""
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(alias)
        out.append((field.attname, column,
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return out


def _plan() -> tuple[str, list, list]:
    plan = _plans.get(connection.vendor)
    if plan is None:
        quote = connection.ops.quote_name
        project_fields, org_fields = Project._meta.concrete_fields, Organisation._meta.concrete_fields
        concat = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        select = ", ".join(
            [f"p.{quote(f.column)}" for f in project_fields] + [f"o.{quote(f.column)}" for f in org_fields]
        )
        sql = (
            f"SELECT {select}, (SELECT {concat}(x.kind || ':' || CAST(x.total AS TEXT), ',') FROM "
            f"(SELECT t.kind AS kind, SUM(t.amount) AS total FROM {quote(ProjectTotal._meta.db_table)} t "
            f"WHERE t.project_id = p.{quote(Project._meta.pk.column)} GROUP BY t.kind) x) "
            f"FROM {quote(Project._meta.db_table)} p "
            f"JOIN {quote(Organisation._meta.db_table)} o ON o.{quote(Organisation._meta.pk.column)} = p."
            f"{quote(Project._meta.get_field('organisation').column)} "
            "WHERE p.slug = %s"
        )
        plan = _plans[connection.vendor] = (sql, _converters(Project, "p"), _converters(Organisation, "o"))
    return plan


def _instance(model: type[Model], columns: list[tuple[str, object, list]], values) -> Model:
    converted = []
    for (_attname, column, converters), value in zip(columns, values):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [attname for attname, _column, _c in columns], converted)


def project_with_totals(slug: str) -> tuple[Project | None, dict[str, int]]:
    """(the project with its organisation loaded, {kind: total}) for a slug; (None, {}) when
    no project has it."""
    sql, project_columns, org_columns = _plan()
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None:
        return None, {}
    count = len(project_columns)
    project = _instance(Project, project_columns, row[:count])
    organisation = _instance(Organisation, org_columns, row[count:count + len(org_columns)])
    Project._meta.get_field("organisation").set_cached_value(project, organisation)
    totals = {}
    for pair in (row[-1] or "").split(","):
        if pair:
            kind, total = pair.split(":")
            totals[kind] = int(total)
    return project, totals
