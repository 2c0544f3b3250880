"""The database itself refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the journal.

The only way past is `jusha.ledger.maintenance.ledger_unlocked`, which the test suite uses
to empty the database between transactional tests; nothing in the product calls it.
"""

from django.db import migrations

TABLES = ["ledger_journalentry", "ledger_posting", "ledger_expenditure"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION jusha_refuse_ledger_change() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('jusha.ledger_unlock', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        schema_editor.execute("CREATE TABLE IF NOT EXISTS jusha_ledger_unlock (flag INTEGER)")
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION jusha_refuse_ledger_change();"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION jusha_refuse_ledger_change();"
            )
        elif vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"WHEN NOT EXISTS (SELECT 1 FROM jusha_ledger_unlock) "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END;"
                )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS jusha_ledger_unlock")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
