"""The database itself refuses to rewrite the log's history (triggers, on SQLite and on
PostgreSQL): integrated facts, entry runs, tiles and signed checkpoints are never deleted
or changed, while what the log legitimately does still works: a queued fact may change
or go, a partial tile grows into a fuller one, a checkpoint's note gains cosignatures."""

import pytest
from django.db import DatabaseError, connection, transaction

from jusha.ledger.maintenance import ledger_unlocked
from jusha.transparency import merkle, selectors, services
from jusha.transparency.models import Checkpoint, EntryRun, Fact, Queued, Tile
from tests.transparency.test_log import leaf_hashes, queue

pytestmark = pytest.mark.django_db

PARTIAL = Tile.key_of(0, 1)  # after 300 entries: tile 0/001 holds entries 256..299


@pytest.fixture
def log300():
    queue(300)
    services.log_sequence(batch=200)  # two batches: tile 0/000 was written partial, then grown full
    return selectors.log_head()


def snapshot():
    return (list(Fact.objects.order_by("id").values_list("id", "kind", "ref", "leaf")),
            list(EntryRun.objects.order_by("id").values_list("first_fact", "last_fact", "first_index")),
            list(Tile.objects.order_by("key").values_list("key", "level", "index", "hashes")),
            list(Checkpoint.objects.order_by("id").values_list("size", "root", "note", "created_at")))


def refused(sql, params=()):
    with pytest.raises(DatabaseError, match="does not rewrite history"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


REWRITES = [
    ("UPDATE transparency_fact SET leaf = %s WHERE id = (SELECT min(id) FROM transparency_fact)", [b"{}"]),
    ("UPDATE transparency_fact SET kind = 'other', ref = 'x'", []),
    ("DELETE FROM transparency_fact WHERE id = (SELECT max(id) FROM transparency_fact)", []),
    ("UPDATE transparency_entryrun SET first_index = first_index + 1", []),
    ("UPDATE transparency_entryrun SET last_fact = first_fact", []),
    ("DELETE FROM transparency_entryrun", []),
    ("UPDATE transparency_tile SET hashes = %s WHERE key = %s", [bytes(32) * 44, PARTIAL]),  # same length, other hashes
    ("UPDATE transparency_tile SET hashes = substr(hashes, 1, 32) WHERE key = %s", [PARTIAL]),  # shrunk
    ("UPDATE transparency_tile SET level = 7 WHERE key = %s", [PARTIAL]),
    ("DELETE FROM transparency_tile WHERE key = %s", [PARTIAL]),
    ("UPDATE transparency_checkpoint SET root = %s", [bytes(32)]),
    ("UPDATE transparency_checkpoint SET size = size + 1", []),
    ("UPDATE transparency_checkpoint SET note = 'a forged note'", []),
    ("DELETE FROM transparency_checkpoint", []),
]


@pytest.mark.parametrize(("sql", "params"), REWRITES)
def test_the_database_refuses_to_rewrite_integrated_history(log300, sql, params):
    before = snapshot()
    refused(sql, params)
    assert snapshot() == before
    assert selectors.tree_head(300) == log300.root == merkle.root_from_hashes(leaf_hashes())


def test_a_tile_only_grows_and_never_past_256_hashes(log300):
    data = bytes(Tile.objects.get(key=PARTIAL).hashes)
    assert len(data) == 44 * 32
    refused("UPDATE transparency_tile SET hashes = %s WHERE key = %s", [bytes(32) + data, PARTIAL])  # shifted
    refused("UPDATE transparency_tile SET hashes = %s WHERE key = %s", [data + bytes(32) * 213, PARTIAL])  # 257 hashes
    with connection.cursor() as cursor:  # what the sequencer does: the same hashes, and more
        cursor.execute("UPDATE transparency_tile SET hashes = %s WHERE key = %s", [data + bytes(32), PARTIAL])
    assert bytes(Tile.objects.get(key=PARTIAL).hashes) == data + bytes(32)


def test_queued_facts_may_change_or_go_and_the_log_grows_as_before(log300):
    queue(20, start=300)
    queued = list(Queued.objects.order_by("fact_id").values_list("fact_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE transparency_fact SET ref = 'changed' WHERE id = %s", [queued[0]])
        cursor.execute("DELETE FROM transparency_queued WHERE fact_id = %s", [queued[-1]])
        cursor.execute("DELETE FROM transparency_fact WHERE id = %s", [queued[-1]])
    assert services.log_sequence(batch=7) == 19  # partial tiles grown over three batches
    assert selectors.log_head().size == 319 and selectors.log_head().root == merkle.root_from_hashes(leaf_hashes())
    assert Fact.objects.get(pk=queued[0]).ref == "changed"
    refused("UPDATE transparency_fact SET ref = 'again' WHERE id = %s", [queued[0]])  # integrated now


def test_a_checkpoint_note_only_gains_cosignatures(log300):
    checkpoint = Checkpoint.objects.get(size=300)
    checkpoint.note += "— witness.example/w AAAA\n"  # what log_witness_collect does
    checkpoint.save(update_fields=["note"])
    refused("UPDATE transparency_checkpoint SET note = %s WHERE size = 300", [log300.note])  # the cosignature dropped
    assert Checkpoint.objects.get(size=300).note == log300.note + "— witness.example/w AAAA\n"


LOG_TABLES = ["transparency_fact", "transparency_entryrun", "transparency_tile", "transparency_checkpoint"]


@pytest.mark.parametrize("table", LOG_TABLES)
def test_postgresql_refuses_truncate(log300, table):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with connection.cursor() as cursor:  # the inserts' foreign key checks, else TRUNCATE waits for them
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    refused(f"TRUNCATE {table} CASCADE")


class Undo(Exception):
    """Raised to roll a block back."""


def test_only_the_test_suites_unlock_gets_past(log300):
    with pytest.raises(Undo), transaction.atomic(), ledger_unlocked():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM transparency_checkpoint")
        assert not Checkpoint.objects.exists()
        raise Undo
    assert Checkpoint.objects.count() == 2
    refused("DELETE FROM transparency_checkpoint")
