"""The Idempotency-Key's hot statements in plain SQL (DESIGN.md: the hot path may go below
the ORM, in one plainly named module per app); the ORM everywhere else.

`idempotency_claim` is ONE statement, `INSERT … ON CONFLICT (scope, key) DO NOTHING
RETURNING id`: run outside any transaction it commits by itself, so the key is claimed and
committed before the work calls a provider, without the ORM's transaction, savepoint and
IntegrityError; a key already claimed writes nothing and fails no statement (PostgreSQL
waits for a concurrent claim of the same key to commit or roll back, as the plain INSERT
did). `idempotency_store` writes the answer with one UPDATE. Both run the same on SQLite
(3.35+: RETURNING) and PostgreSQL.

`row_insert` saves a new model instance with one plain INSERT, as `save(force_insert=True)`
does (the fields' own pre_save and database preparation, an auto-incremented id read back
with RETURNING), without the ORM's compiler: for the rows a hot path writes (a gift, the
sandbox's charge). The project sends no model signals, so none is sent here either.
`rows_insert_many` is `bulk_create` for a batch's rows: on PostgreSQL one
`INSERT … SELECT * FROM unnest(…)` with one array per column, whose text is the same
whatever the number of rows (Django's compiler does the same, but not for a model with a
binary field, whose rows it sends as a VALUES list: a new statement for every batch size).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin

from jusha.core.models import IdempotencyRecord

_CLAIM = (
    "INSERT INTO {table} ({scope}, {key}, {fingerprint}, {state}, {status_code}, {body}, {created_at}, {updated_at}) "
    "VALUES (%s, %s, %s, %s, NULL, NULL, %s, %s) ON CONFLICT ({scope}, {key}) DO NOTHING RETURNING {id}"
)
_STORE = "UPDATE {table} SET {state} = %s, {status_code} = %s, {body} = %s, {updated_at} = %s WHERE {id} = %s"
_statements: dict[str, tuple[str, str]] = {}


def _sql() -> tuple[str, str]:
    statements = _statements.get(connection.vendor)
    if statements is None:
        quote, meta = connection.ops.quote_name, IdempotencyRecord._meta
        names = {f.name: quote(f.column) for f in meta.concrete_fields}
        statements = _statements[connection.vendor] = (
            _CLAIM.format(table=quote(meta.db_table), **names), _STORE.format(table=quote(meta.db_table), **names),
        )
    return statements


def idempotency_claim(*, scope: str, key: str, fingerprint: str, now) -> int | None:
    """Claim (scope, key) as running: its record's id, or None when it is claimed already."""
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_sql()[0], [scope, key, fingerprint, IdempotencyRecord.RUNNING, at, at])
        row = cursor.fetchone()
    return row[0] if row else None


def idempotency_store(*, record_id: int, status: int, body: dict, now) -> None:
    """The record holds its answer: done, with this status and body."""
    body_value = IdempotencyRecord._meta.get_field("body").get_db_prep_save(body, connection)
    with connection.cursor() as cursor:
        cursor.execute(_sql()[1], [IdempotencyRecord.DONE, status, body_value,
                                   connection.ops.adapt_datetimefield_value(now), record_id])


_inserts: dict[tuple[str, type], tuple[str, list, bool]] = {}


def _insert_into(model: type[Model]) -> tuple[str, list, bool]:
    """("INSERT INTO table (columns)", the fields it writes, whether the id is
    auto-incremented: then it is left out and read back)."""
    quote, meta = connection.ops.quote_name, model._meta
    auto = isinstance(meta.pk, AutoFieldMixin)
    fields = [f for f in meta.concrete_fields if not (auto and f is meta.pk)]
    return f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})", fields, auto


def row_insert(instance: Model) -> None:
    """INSERT the new `instance` (its pk set, or an auto-incremented one read back)."""
    model = type(instance)
    plan = _inserts.get((connection.vendor, model))
    if plan is None:
        quote, meta = connection.ops.quote_name, model._meta
        insert, fields, auto = _insert_into(model)
        sql = f"{insert} VALUES ({', '.join(['%s'] * len(fields))})" + (f" RETURNING {quote(meta.pk.column)}" if auto else "")
        plan = _inserts[(connection.vendor, model)] = (sql, fields, auto)
    sql, fields, auto = plan
    if auto and instance.pk is not None:
        raise ValueError("row_insert saves new rows only: this one has an id")
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if auto:
            instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias


_many: dict[type, tuple[str, list, bool]] = {}


def rows_insert_many(instances: list[Model]) -> None:
    """INSERT these new instances of one model at once, as `bulk_create` does (the fields'
    pre_save and preparation; auto-incremented ids read back, in order). PostgreSQL: one
    unnest statement; elsewhere `bulk_create`."""
    if not instances:
        return
    model = type(instances[0])
    if isinstance(model._meta.pk, AutoFieldMixin) and any(instance.pk is not None for instance in instances):
        raise ValueError("rows_insert_many saves new rows only: one has an id")
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances)
        return
    plan = _many.get(model)
    if plan is None:
        quote, meta = connection.ops.quote_name, model._meta
        insert, fields, auto = _insert_into(model)
        arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
        sql = f"{insert} SELECT * FROM unnest({arrays})" + (f" RETURNING {quote(meta.pk.column)}" if auto else "")
        plan = _many[model] = (sql, fields, auto)
    sql, fields, auto = plan
    values = [[f.get_db_prep_save(f.pre_save(instance, True), connection) for instance in instances] for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if auto:
            for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = pk
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def columns(model: type[Model], alias: str) -> str:
    """The select list of `model`'s concrete columns in the model's order, for `instance`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


_loaders: dict[tuple[str, type], tuple[list[str], list]] = {}


def instance(model: type[Model], values) -> Model:
    """A model instance from a row of its concrete columns (`columns`), as the ORM's compiler
    builds one: the backend's converters, then the field's, applied to each value (booleans,
    times and files on SQLite; none for most fields on PostgreSQL)."""
    key = (connection.vendor, model)
    loader = _loaders.get(key)
    if loader is None:
        fields, converters = model._meta.concrete_fields, []
        for i, field in enumerate(fields):
            column = field.cached_col
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((i, column, found))
        loader = _loaders[key] = ([field.attname for field in fields], converters)
    attnames, converters = loader
    if converters:
        values = list(values)
        for i, column, found in converters:
            for converter in found:
                values[i] = converter(values[i], column, connection)
    return model.from_db(connection.alias, attnames, values)
