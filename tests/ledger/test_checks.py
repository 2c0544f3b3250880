"""`manage.py ledger_check`, one check at a time: each finds nothing in books kept by the
services, and finds what was tampered with behind their back (the journal's append-only
guard lifted with `ledger_unlocked` where the tampering touches the journal itself). The
ledger checks its own rows; giving, fulfilment and matching register theirs."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jusha.fulfilment import checks as fulfilment_checks
from jusha.sponsorship import checks as sponsorship_checks
from jusha.fulfilment.models import Batch
from jusha.giving import checks as giving_checks
from jusha.giving.models import Donation
from jusha.core.money import Money
from jusha.giving.services import donation_refund
from jusha.ledger import checks
from jusha.ledger.maintenance import ledger_unlocked
from jusha.ledger.models import Expenditure, JournalEntry, Posting
from jusha.projects.models import ProjectTotal
from jusha.ledger.services import expenditure_record
from jusha.matching import checks as matching_checks
from jusha.payments import reconcile
from tests.factories import give, image_upload, make_member, make_pool, make_project
from tests.fulfilment.conftest import COST, warm_project

pytestmark = pytest.mark.django_db


def tamper(sql: str, params=()) -> None:
    with ledger_unlocked(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def books(project):
    """A gift, a partial refund and an expenditure, all through the services."""
    finance = make_member(project.organisation, "finance")
    gift = give(project, 5000)
    give(project, 3000)
    donation_refund(donation=gift, amount=Money(1000, "CNY"), reason="asked", actor=finance)
    expenditure = expenditure_record(
        project=project, budget_line=project.budget_lines.first(), amount=Money(2000, "CNY"), description="Warm packs",
        spent_on=datetime.date(2026, 11, 1), voucher=image_upload(), actor=finance,
    )
    return project, gift, expenditure


def test_the_checks_run_in_a_set_order_each_registered_by_the_app_that_owns_the_rows():
    assert checks.ledger_checks.providers() == [
        checks.entry_problems, giving_checks.gift_problems, giving_checks.refund_problems, giving_checks.fee_return_problems,
        checks.expenditure_problems, checks.running_total_problems, checks.project_balance_problems,
        checks.organisation_cash_problems, fulfilment_checks.batch_problems, matching_checks.match_problems,
        sponsorship_checks.sponsorship_problems, reconcile.reconciliation_problems,
    ]


def test_ledger_problems_are_every_checks_problems_in_order(books, monkeypatch):
    assert checks.ledger_problems() == []
    providers = [(1, lambda: ["b"]), (2, lambda: []), (3, lambda: ["c", "d"])]
    monkeypatch.setattr(checks.ledger_checks, "_providers", providers)
    assert checks.ledger_problems() == ["b", "c", "d"]


def test_ledger_check_command_reports_ok_or_each_problem_and_fails(books):
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    assert out.getvalue() == "ledger_check: ok\n"
    _project, gift, _expenditure = books
    Donation.objects.filter(pk=gift.pk).update(refunded_amount=0)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^ledger_check: 1 problem\(s\)$"):
        call_command("ledger_check", stderr=err)
    assert err.getvalue() == f"donation {gift.pk} refunded_amount differs from its refunds\n"


def test_entry_problems_finds_an_unbalanced_entry(books):
    assert checks.entry_problems() == []
    posting = Posting.objects.filter(amount__gt=0).order_by("pk").first()
    tamper("UPDATE ledger_posting SET amount = amount + 1 WHERE id = %s", [posting.pk])
    assert checks.entry_problems() == [
        f"entry {posting.entry_id} does not balance in CNY: 1",
        f"entry {posting.entry_id} total {posting.entry.amount} != debits {posting.amount + 1}",
    ]


def test_gift_problems_finds_a_gift_that_differs_from_its_entry_or_has_none(books):
    project, gift, _expenditure = books
    assert giving_checks.gift_problems() == []
    Donation.objects.filter(pk=gift.pk).update(amount=4999)
    unjournalled = give(project, 100, result=None)
    Donation.objects.filter(pk=unjournalled.pk).update(status="paid", paid_at=unjournalled.created_at)
    assert sorted(giving_checks.gift_problems()) == sorted([
        f"gift entry for {gift.pk} differs from the donation", f"paid donation {unjournalled.pk} has no gift entry",
    ])


def test_refund_problems_finds_a_refunded_amount_its_refunds_do_not_add_up_to(books):
    _project, gift, _expenditure = books
    assert giving_checks.refund_problems() == []
    Donation.objects.filter(pk=gift.pk).update(refunded_amount=1500)
    assert giving_checks.refund_problems() == [f"donation {gift.pk} refunded_amount differs from its refunds"]


def test_expenditure_problems_finds_an_expenditure_that_differs_from_its_entry(books):
    _project, _gift, expenditure = books
    assert checks.expenditure_problems() == []
    tamper("UPDATE ledger_expenditure SET amount = amount + 100 WHERE id = %s", [expenditure.pk])
    assert Expenditure.objects.get(pk=expenditure.pk).amount == 2100
    assert checks.expenditure_problems() == [f"expenditure {expenditure.pk} is missing from the journal or differs"]


def test_running_total_problems_finds_a_running_total_that_is_not_the_journal(books):
    project, _gift, _expenditure = books
    assert checks.running_total_problems() == []
    shard = ProjectTotal.objects.filter(project=project, kind="gift").first()
    ProjectTotal.objects.filter(pk=shard.pk).update(amount=shard.amount + 1)
    assert checks.running_total_problems() == [
        f"project {project.pk} gift running total (8001, 2) != journal (8000, 2)"
    ]


def test_project_balance_problems_finds_a_fund_that_is_not_the_journal(books):
    project, gift, _expenditure = books
    assert checks.project_balance_problems() == []
    tamper("UPDATE ledger_journalentry SET amount = amount + 100 WHERE kind = 'gift' AND reference = %s",
           [str(gift.pk)])
    assert checks.project_balance_problems() == [f"project {project.pk} fund balance -5000 != journal -5100"]


def test_batch_problems_finds_a_batch_cancelled_without_its_release_or_committed_twice():
    project = warm_project()
    give(project, COST)
    batch = Batch.objects.get(project=project)
    assert fulfilment_checks.batch_problems() == []
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.CANCELLED)
    assert fulfilment_checks.batch_problems() == [
        f"purchased or cancelled batch {batch.pk} has no release entry for its cost {COST}",
    ]
    tamper("UPDATE ledger_journalentry SET amount = amount + 1 WHERE kind = 'commitment' AND reference = %s",
           [str(batch.pk)])
    assert fulfilment_checks.batch_problems()[0] == f"batch {batch.pk} has no commitment entry for its cost {COST}"


def test_match_problems_finds_a_match_that_differs_from_its_entry():
    project = make_project(goal=10_000_000)
    make_pool(budget=100_000)
    gift = give(project, 5000)
    assert JournalEntry.objects.filter(kind="match").count() == 1
    assert matching_checks.match_problems() == []
    tamper("UPDATE ledger_journalentry SET amount = amount + 1 WHERE kind = 'match' AND reference = %s", [str(gift.pk)])
    assert matching_checks.match_problems() == [f"match of donation {gift.pk} is missing from the journal or differs"]
