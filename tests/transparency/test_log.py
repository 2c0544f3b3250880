"""The log: facts queued in their transaction, integrated by the sequencer in order,
exactly once, with a signed checkpoint that is never inconsistent with the last."""

import datetime
import json
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jusha.core.money import Money
from jusha.giving.services import donation_refund
from jusha.ledger.maintenance import ledger_unlocked
from jusha.ledger.services import expenditure_record
from jusha.transparency import leaves, merkle, note, selectors, services
from jusha.transparency.keys import log_verifier
from jusha.transparency.models import Checkpoint, EntryRun, Fact, FactSalt, Queued, Tile
from tests.factories import give, image_upload, make_member

pytestmark = pytest.mark.django_db


def queue(n, start=0, *, ids=None):
    """n facts, quickly: what fact_queue writes, in bulk SQL."""
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            first = (Fact.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            ids = range(first, first + n)
        leaf = [leaves.build("test", {"id": str(start + i), "n": start + i}) for i in range(n)]
        cursor.executemany("INSERT INTO transparency_fact (id, kind, ref, leaf, created_at) VALUES (%s, 'test', %s, %s, %s)",
                           [(ids[i], str(start + i), leaf[i], timezone.now()) for i in range(n)])
        cursor.executemany("INSERT INTO transparency_queued (fact_id) VALUES (%s)", [(i,) for i in ids])
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('transparency_fact', 'id'), (SELECT max(id) FROM transparency_fact))")


def leaf_hashes():
    return [merkle.leaf_hash(leaf) for leaf in selectors.entries(0, selectors.entry_count())]


@pytest.mark.django_db(transaction=True)
def test_fact_queue_only_inside_the_creating_transaction():
    with pytest.raises(RuntimeError):
        services.fact_queue(kind="test", public={"id": "1"})
    assert Fact.objects.count() == 0


def test_a_paid_gift_is_queued_with_public_fields_only(project):
    gift = give(project, 5000, email="donor@example.org", name="张三", message="加油")
    fact = Fact.objects.get(kind="gift")
    assert fact.ref == str(gift.pk) and Queued.objects.filter(fact=fact).exists()
    body = leaves.parse(bytes(fact.leaf))
    assert body == {
        "kind": "gift", "v": 1, "id": str(gift.pk), "receipt": gift.receipt_number, "project": project.slug,
        "amount": 5000, "currency": "CNY", "paid_at": body["paid_at"], "overflow": False, "commitment": body["commitment"],
    }
    raw = bytes(fact.leaf).decode()
    assert "donor@example.org" not in raw and "张三" not in raw and "加油" not in raw
    salt = bytes(FactSalt.objects.get(fact=fact).salt)
    assert leaves.commitment_matches(body, salt, {"email": "donor@example.org", "name": "张三", "donor": None})
    # Erasure: the salt goes; the log keeps a commitment that points at nobody.
    assert services.fact_erase_personal(kind="gift", ref=str(gift.pk)) == 1
    assert not FactSalt.objects.exists() and Fact.objects.filter(kind="gift").exists()


def test_refunds_and_expenditures_are_facts_too(project):
    gift = give(project, 50_000)
    finance = make_member(project.organisation, "finance")
    refund = donation_refund(donation=gift, amount=Money(1000, "CNY"), reason="asked", actor=finance)
    spent = expenditure_record(project=project, budget_line=project.budget_lines.first(), amount=Money(20_000), description="Warm packs x 40",
                               spent_on=datetime.date(2026, 1, 5), voucher=image_upload(), actor=finance)
    facts = {f.kind: leaves.parse(bytes(f.leaf)) for f in Fact.objects.all()}
    assert facts["refund"]["id"] == str(refund.pk) and facts["refund"]["donation"] == str(gift.pk) and facts["refund"]["amount"] == 1000
    assert "asked" not in json.dumps(facts["refund"])
    assert facts["expenditure"]["voucher_sha256"] == spent.voucher_sha256 and len(spent.voucher_sha256) == 64
    assert facts["expenditure"]["amount"] == 20_000 and facts["expenditure"]["spent_on"] == "2026-01-05"


def test_sequencer_integrates_in_batches_with_signed_checkpoints(project, client, django_assert_num_queries):
    gifts = [give(project, 100 + i) for i in range(3)]
    assert client.get(f"/api/v1/donations/{gifts[0].pk}").json()["log_index"] is None
    assert services.log_sequence(batch=2) == 3
    assert not Queued.objects.exists()
    assert list(Checkpoint.objects.order_by("size").values_list("size", flat=True)) == [2, 3]
    head = selectors.log_head()
    checkpoint, _ = note.open_checkpoint(head.note, log_verifier())
    assert checkpoint.size == 3 and checkpoint.root == merkle.root_from_hashes(leaf_hashes())
    assert [client.get(f"/api/v1/donations/{g.pk}").json()["log_index"] for g in gifts] == [0, 1, 2]
    # One indexed lookup, whatever the log holds.
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as small:
        client.get(f"/api/v1/donations/{gifts[0].pk}")
    queue(600)
    services.log_sequence()
    with CaptureQueriesContext(conn) as large:
        client.get(f"/api/v1/donations/{gifts[2].pk}")
    assert len(small) == len(large)
    assert services.log_sequence() == 0 and Checkpoint.objects.count() == 3


def test_empty_log_signs_the_empty_checkpoint_once():
    assert services.log_sequence() == 0
    assert services.log_sequence() == 0
    head = selectors.log_head()
    assert Checkpoint.objects.count() == 1 and head.size == 0 and head.root == merkle.EMPTY_ROOT


def test_a_large_tree_matches_the_reference_at_every_level():
    queue(70_000)
    assert services.log_sequence(batch=9_000) == 70_000
    hashes = leaf_hashes()
    assert len(hashes) == 70_000 and selectors.log_head().root == merkle.root_from_hashes(hashes)
    assert Tile.objects.filter(level=2).count() == 1 and len(bytes(Tile.objects.get(level=1, index=1).hashes)) == 17 * 32
    for size in (1, 255, 256, 65_536, 65_537, 70_000):
        root = merkle.root_from_hashes(hashes[:size])
        assert selectors.tree_head(size) == root
        for index in (0, size // 3, size - 1):
            merkle.verify_inclusion(index, size, hashes[index], selectors.inclusion_proof(index, size), root)
        merkle.verify_consistency(size, 70_000, selectors.consistency_proof(size, 70_000), root, hashes and selectors.log_head().root)
    # A proof is one query for its few tiles, whatever the size of the tree.
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        selectors.inclusion_proof(12_345, 70_000)
        selectors.consistency_proof(300, 70_000)
    assert len(queries) == 2 and all("transparency_tile" in q["sql"] for q in queries)


def test_late_commits_with_lower_ids_take_the_next_places():
    queue(5, ids=[1001, 1002, 1003, 1005, 1006])
    services.log_sequence()
    queue(2, start=100, ids=[1004, 7])  # committed after the others were integrated
    services.log_sequence()
    assert [leaves.parse(leaf)["n"] for leaf in selectors.entries(0, 7)] == [0, 1, 2, 3, 4, 101, 100]
    assert selectors.log_index_for("test", "101") == 5 and selectors.log_index_for("test", "3") == 3
    assert EntryRun.objects.count() == 4
    assert selectors.log_head().root == merkle.root_from_hashes(leaf_hashes())


def test_a_crash_midway_integrates_nothing_and_the_restart_everything(monkeypatch):
    queue(300)
    services.log_sequence(batch=100)
    before = (Checkpoint.objects.count(), EntryRun.objects.count(), list(Tile.objects.values_list("level", "index", "hashes")))

    def crash(**kwargs):
        raise SystemExit("power cut")

    monkeypatch.setattr(services, "checkpoint_sign", crash)
    queue(50, start=300)
    with pytest.raises(SystemExit):
        services.log_sequence()
    after = (Checkpoint.objects.count(), EntryRun.objects.count(), list(Tile.objects.values_list("level", "index", "hashes")))
    assert before == after and Queued.objects.count() == 50
    monkeypatch.undo()
    assert services.log_sequence() == 50
    assert [leaves.parse(leaf)["n"] for leaf in selectors.entries(0, 350)] == list(range(350))
    assert selectors.log_head().root == merkle.root_from_hashes(leaf_hashes())


def test_the_log_never_signs_inconsistent_checkpoints():
    queue(300)
    services.log_sequence()
    head = selectors.log_head()
    with pytest.raises(services.LogIntegrityError):
        with transaction.atomic():
            services.checkpoint_sign(size=head.size, root=bytes(32))  # same size, other root
    with pytest.raises(services.LogIntegrityError):
        with transaction.atomic():
            services.checkpoint_sign(size=head.size - 1, root=selectors.tree_head(head.size - 1))  # going back
    with pytest.raises(services.LogIntegrityError):
        with transaction.atomic():
            services.checkpoint_sign(size=head.size + 1, root=bytes(32))  # a leaf the log does not hold
    # History rewritten under the log (a hash of the signed tree changed): the database refuses
    # it; and past the database's guard (which only the test suite's unlock lifts), the
    # sequencer refuses to go on.
    tile = Tile.objects.get(level=0, index=1)
    tile.hashes = bytes(32) + bytes(tile.hashes)[32:]
    with pytest.raises(DatabaseError), transaction.atomic():
        tile.save()
    with ledger_unlocked():
        tile.save()
    queue(10, start=300)
    with pytest.raises(services.LogIntegrityError):
        services.log_sequence()
    assert Checkpoint.objects.count() == 1 and Queued.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_two_sequencers_at_once_integrate_each_fact_exactly_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or an on-disk SQLite test database (JUSHA_SQLITE_TEST_NAME=<file>)")
    queue(3_000)
    barrier, errors, counts = threading.Barrier(3), [], []

    def run():
        try:
            barrier.wait()
            counts.append(services.log_sequence(batch=200))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sum(counts) == 3_000
    assert sorted(leaves.parse(leaf)["n"] for leaf in selectors.entries(0, 3_000)) == list(range(3_000))
    assert selectors.entry_count() == 3_000 and selectors.log_head().root == merkle.root_from_hashes(leaf_hashes())
    sizes = list(Checkpoint.objects.order_by("size").values_list("size", flat=True))
    assert sizes == sorted(set(sizes)) and sizes[-1] == 3_000


def test_keygen_command_and_development_keys(settings, tmp_path):
    settings.JUSHA_LOG_KEY_PATH = tmp_path / "k" / "log.key"
    settings.JUSHA_WITNESS_KEY_PATH = tmp_path / "k" / "witness.key"
    settings.JUSHA_LOG_KEY_AUTOGENERATE = False
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        log_verifier()
    call_command("log_keygen")
    assert (tmp_path / "k" / "log.key").stat().st_mode & 0o777 == 0o600
    vkey = log_verifier().vkey
    call_command("log_keygen")  # keeps the existing key
    assert log_verifier().vkey == vkey
    settings.JUSHA_LOG_ORIGIN = "another.example/log"
    with pytest.raises(ImproperlyConfigured):
        log_verifier()


def test_the_worker_runs_the_sequencer_at_least_once_a_second():
    from jusha.core.schedule import PERIODIC_JOBS

    every = {path: seconds for _name, seconds, path in PERIODIC_JOBS}
    assert every["jusha.transparency.services.log_sequence"] <= 1
