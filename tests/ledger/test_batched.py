"""Journal entries a settler's batch posts are written together when the batch ends
(ledger.sql.entries_write_many: one statement on PostgreSQL, one increment per (project,
kind, shard) per batch), exactly as one at a time would write them."""

import pytest
from django.db import transaction

from jusha.core.errors import Conflict
from jusha.core.money import Money
from jusha.ledger.models import JournalEntry, Posting
from jusha.ledger.services import entries_batched, organisation_cash_account, project_fund_account, settlement_post
from jusha.projects.models import ProjectTotal
from jusha.projects.selectors import project_sums
from tests.factories import make_org, make_project

pytestmark = pytest.mark.django_db


def _post(project, other, reference, amount):
    return settlement_post(reference=reference, project=project, payer_id=other.pk,
                           payee_id=project.organisation_id, amount=Money(amount), batched=True)


def test_a_batch_writes_its_entries_postings_and_one_increment_per_shard_at_its_end():
    project = make_project()
    other = make_org()
    with transaction.atomic(), entries_batched():
        for n in range(5):
            entry = _post(project, other, f"b:{n}", 100 + n)
            assert entry.pk is None  # not written yet
        assert not JournalEntry.objects.filter(reference__startswith="b:").exists()
    entries = JournalEntry.objects.filter(reference__startswith="b:")
    assert sorted(entries.values_list("amount", flat=True)) == [100, 101, 102, 103, 104]
    assert Posting.objects.filter(entry__in=entries).count() == 10
    assert all(sum(e.postings.values_list("amount", flat=True)) == 0 for e in entries)
    shards = ProjectTotal.objects.filter(project=project, kind="settlement")
    assert shards.count() == 1  # one shard, one increment, for the batch
    assert (shards.get().amount, shards.get().entries) == (510, 5)


def test_a_batch_with_an_entry_journalled_already_writes_nothing():
    project = make_project()
    other = make_org()
    _post(project, other, "dup", 100)  # outside a batch: written at once
    before = (JournalEntry.objects.count(), Posting.objects.count(), project_sums([project.pk])[project.pk])
    with pytest.raises(Conflict), transaction.atomic(), entries_batched():
        _post(project, other, "fresh", 50)
        _post(project, other, "dup", 100)
    assert (JournalEntry.objects.count(), Posting.objects.count(), project_sums([project.pk])[project.pk]) == before


def test_outside_a_batch_batched_entries_are_written_at_once():
    project = make_project()
    entry = _post(project, make_org(), "now", 70)
    assert entry.pk is not None and JournalEntry.objects.filter(pk=entry.pk, amount=70).exists()
    assert project_fund_account(project) and organisation_cash_account(project.organisation_id, "CNY")
