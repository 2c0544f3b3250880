"""The database itself refuses to rewrite the log's history:

- an integrated fact (one an entry run holds) is never updated or deleted; a fact still
  only queued may be (the sequencer never needs to: it records a fact's place in a new
  `EntryRun`, and deletes the `Queued` row, which is not guarded);
- an entry run is never updated or deleted;
- a tile is never deleted, and only ever grows: the sequencer replaces a partial tile by a
  fuller one (same key, the old hashes kept as the prefix, at most 256 of them);
- a signed checkpoint is never deleted, and only its note may grow: witnesses'
  cosignature lines are appended to it;
- on PostgreSQL, none of these four tables can be truncated.

The only way past is the journal's (`jusha.ledger.maintenance.ledger_unlocked`: the
`jusha.ledger_unlock` setting on PostgreSQL, a row in `jusha_ledger_unlock` on SQLite),
which the test suite uses to empty the database between transactional tests.
"""

from django.db import migrations

FACT, RUN = "transparency_fact", "transparency_entryrun"
TILE, CHECKPOINT = "transparency_tile", "transparency_checkpoint"
TILE_BYTES = 256 * 32

# SQL conditions (over OLD and NEW) under which a change is allowed, the same on both databases.
# A fact is still queued if the one run that could hold it (the last to start at or before
# it: an index seek) ends before it, or if there is no such run.
FACT_QUEUED = (f"coalesce((SELECT last_fact < OLD.id FROM {RUN} WHERE first_fact <= OLD.id "
               "ORDER BY first_fact DESC LIMIT 1), TRUE)")
TILE_GROWS = ('NEW.key = OLD.key AND NEW.level = OLD.level AND NEW."index" = OLD."index" '
              f"AND length(NEW.hashes) <= {TILE_BYTES} AND substr(NEW.hashes, 1, length(OLD.hashes)) = OLD.hashes")
NOTE_COSIGNED = ("NEW.id = OLD.id AND NEW.size = OLD.size AND NEW.root = OLD.root AND NEW.created_at = OLD.created_at "
                 "AND substr(NEW.note, 1, length(OLD.note)) = OLD.note")

# (table, condition for an UPDATE, condition for a DELETE); None: never.
GUARDS = [(FACT, FACT_QUEUED, FACT_QUEUED), (RUN, None, None),
          (TILE, TILE_GROWS, None), (CHECKPOINT, NOTE_COSIGNED, None)]

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION jusha_log_unlocked() RETURNS boolean AS $$
    SELECT coalesce(current_setting('jusha.ledger_unlock', true), '') = 'on'
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION jusha_log_refuse() RETURNS trigger AS $$
BEGIN
    IF jusha_log_unlocked() THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the transparency log does not rewrite history (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def pg_guard(table: str, op: str, allowed: str | None) -> str:
    """A function and row trigger refusing `op` on `table` unless unlocked or `allowed`."""
    name = f"{table}_guard_{op.lower()}"
    if allowed is None:
        return f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW EXECUTE FUNCTION jusha_log_refuse();"
    result = "OLD" if op == "DELETE" else "NEW"
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF jusha_log_unlocked() OR ({allowed}) THEN RETURN {result}; END IF;
    RAISE EXCEPTION 'the transparency log does not rewrite history (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();
"""


def sqlite_guard(table: str, op: str, allowed: str | None) -> str:
    condition = "NOT EXISTS (SELECT 1 FROM jusha_ledger_unlock)" + (f" AND NOT ({allowed})" if allowed else "")
    return (f"CREATE TRIGGER {table}_guard_{op.lower()} BEFORE {op} ON {table} WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, 'the transparency log does not rewrite history ({op} on {table})'); END;")


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
    for table, on_update, on_delete in GUARDS:
        for op, allowed in (("UPDATE", on_update), ("DELETE", on_delete)):
            if vendor == "postgresql":
                schema_editor.execute(pg_guard(table, op, allowed), params=None)
            elif vendor == "sqlite":
                schema_editor.execute(sqlite_guard(table, op, allowed))
        if vendor == "postgresql":
            schema_editor.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                                  f"FOR EACH STATEMENT EXECUTE FUNCTION jusha_log_refuse();")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _on_update, _on_delete in GUARDS:
        for op in ("update", "delete"):
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_guard_{op} ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_guard_{op}();")
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_guard_{op};")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS jusha_log_refuse();")
        schema_editor.execute("DROP FUNCTION IF EXISTS jusha_log_unlocked();")


class Migration(migrations.Migration):
    # The unlock mechanism (and on SQLite its table) is the journal's.
    dependencies = [("transparency", "0001_initial"), ("ledger", "0002_append_only_triggers")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
