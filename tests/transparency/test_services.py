"""Queuing facts for the log (`transparency.services`): a fact exists only if the
transaction that created it commits; what it says in public is exactly what was given,
personal data only as a salted commitment, and erasure deletes the salt alone."""

import pytest
from django.db import transaction

from jusha.transparency import leaves, selectors, services
from jusha.transparency.models import EntryRun, Fact, FactSalt, Queued

pytestmark = pytest.mark.django_db


def log_rows():
    return Fact.objects.count(), Queued.objects.count(), FactSalt.objects.count()


def stored_leaves() -> list[bytes]:
    return [bytes(leaf) for leaf in Fact.objects.order_by("pk").values_list("leaf", flat=True)]


PUBLIC = {"id": "42", "project": "warm-winter", "amount": 12_000, "currency": "CNY", "receipts": ["a", "b"],
          "late": False}


class Undo(Exception):
    pass


def test_a_fact_queued_in_a_rolled_back_transaction_leaves_nothing():
    with pytest.raises(Undo), transaction.atomic():
        services.fact_queue(kind="gift", public={"id": "a", "amount": 100}, personal={"email": "a@example.org"})
        services.fact_queue(kind="refund", public={"id": "b", "amount": 100})
        assert log_rows() == (2, 2, 1)
        raise Undo
    assert log_rows() == (0, 0, 0)
    assert services.log_sequence() == 0 and selectors.log_head().size == 0


def test_a_rolled_back_inner_block_takes_its_facts_only():
    with transaction.atomic():
        services.fact_queue(kind="test", public={"id": "kept"})
        with pytest.raises(Undo), transaction.atomic():
            services.fact_queue(kind="test", public={"id": "gone"})
            raise Undo
    assert list(Fact.objects.values_list("ref", flat=True)) == ["kept"]


def test_a_committed_fact_says_exactly_its_public_fields_and_is_found_by_its_id():
    with transaction.atomic():
        services.fact_queue(kind="expenditure", public=dict(PUBLIC))
    fact = Fact.objects.get()
    assert (fact.kind, fact.ref) == ("expenditure", "42") and Queued.objects.filter(fact=fact).exists()
    assert leaves.parse(bytes(fact.leaf)) == {"kind": "expenditure", "v": 1, **PUBLIC}
    assert not FactSalt.objects.exists()  # nothing personal, nothing to erase
    assert services.log_sequence() == 1
    assert selectors.log_index_for("expenditure", "42") == 0 and not Queued.objects.exists()


def test_personal_fields_appear_only_as_a_commitment_their_salt_can_open():
    personal = {"email": "li.lei@example.org", "name": "李雷", "donor": 7}
    with transaction.atomic():
        services.fact_queue(kind="gift", public={"id": "g1", "amount": 500}, personal=personal)
    fact = Fact.objects.get()
    text = bytes(fact.leaf).decode()
    assert "li.lei" not in text and "李雷" not in text and '"donor"' not in text
    body = leaves.parse(bytes(fact.leaf))
    salt = bytes(FactSalt.objects.get(fact=fact).salt)
    assert len(salt) == 32 and leaves.commitment_matches(body, salt, personal)
    assert not leaves.commitment_matches(body, salt, {**personal, "donor": 8})
    assert not leaves.commitment_matches(body, bytes(32), personal)


def test_the_same_personal_data_never_gives_the_same_commitment_twice():
    personal = {"email": "same@example.org"}
    with transaction.atomic():
        for ref in ("1", "2"):
            services.fact_queue(kind="gift", public={"id": ref}, personal=personal)
    first, second = (leaves.parse(leaf)["commitment"] for leaf in stored_leaves())
    assert first != second  # a fresh salt per fact: two gifts of one donor are not linkable


@pytest.mark.parametrize(
    "kind,public",
    [
        ("gift", {"amount": 1.5}),  # no floats
        ("gift", {"amount": 2**53}),  # beyond what every JSON reader reads alike
        ("gift", {"commitment": "forged"}),  # reserved
        ("gift", {"v": 2}),
        ("Gift", {"id": "1"}),  # kinds are lower-case identifiers
        ("gift", {"when": object()}),
        ("gift", {"note": "x" * 70_000}),  # a leaf is at most 65,535 bytes
    ],
)
def test_a_fact_that_cannot_be_a_leaf_is_refused_and_nothing_is_queued(kind, public):
    with transaction.atomic():
        with pytest.raises(leaves.LeafError):
            services.fact_queue(kind=kind, public=public)
        assert log_rows() == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_fact_is_queued_only_inside_the_transaction_that_creates_it():
    with pytest.raises(RuntimeError):
        services.fact_queue(kind="test", public={"id": "1"})
    assert log_rows() == (0, 0, 0)


def test_erasure_deletes_the_salts_of_one_record_and_keeps_every_leaf():
    with transaction.atomic():
        services.fact_queue(kind="gift", public={"id": "x"}, personal={"email": "x@example.org"})
        services.fact_queue(kind="gift", public={"id": "y"}, personal={"email": "y@example.org"})
    services.log_sequence()
    leaves_before = stored_leaves()
    assert services.fact_erase_personal(kind="gift", ref="x") == 1
    assert services.fact_erase_personal(kind="gift", ref="x") == 0  # nothing left to erase
    assert list(FactSalt.objects.values_list("fact__ref", flat=True)) == ["y"]
    assert stored_leaves() == leaves_before
    assert EntryRun.objects.count() == 1 and selectors.log_head().size == 2
