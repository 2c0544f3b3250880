"""The journal's services (`ledger.services`): every entry is balanced, posted once, and
spending never goes past what the project holds uncommitted."""

import datetime
from collections import defaultdict

import pytest
from django.db.models import Sum

from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.ledger import services
from jusha.ledger.models import Expenditure, JournalEntry, Posting
from jusha.ledger.rules import UnbalancedEntry
from jusha.core.money import Money, MoneyError
from jusha.ledger.selectors import account_balance
from jusha.transparency.models import Fact
from tests.factories import image_upload, make_campaign, make_member, make_pool, make_project
from tests.gifts import paid_gift, refund

pytestmark = pytest.mark.django_db


def spend(project, fen, *, actor, line=None, description="Warm packs for 20 elders"):
    """The one call of expenditure_record here."""
    return services.expenditure_record(
        project=project, budget_line=line or project.budget_lines.first(), amount=Money(fen, "CNY"), description=description,
        spent_on=datetime.date(2026, 11, 2), voucher=image_upload(), actor=actor,
    )


def journal():
    return (JournalEntry.objects.count(), Posting.objects.count(), Expenditure.objects.count(), Fact.objects.count())


def fund(project):
    return -account_balance(services.project_fund_account(project)).amount  # a liability: credit-normal


def test_every_entry_of_the_money_path_is_balanced():
    project = make_project(goal=10_000_000)
    make_pool(campaign=make_campaign(projects=[project]), min_bp=5000)  # deposits and matches too
    finance = make_member(project.organisation, "finance")
    gifts = [paid_gift(project, fen) for fen in (5000, 777, 12_345)]
    refund(gifts[0], 2000, actor=finance)
    refund(gifts[1], 777, actor=finance)
    spend(project, 4000, actor=finance)
    services.commitment_post(project=project, reference="batch-1", amount=Money(3000, "CNY"), memo="batch 1")
    services.commitment_release(project=project, reference="batch-1", amount=Money(3000, "CNY"), memo="batch 1 bought")
    kinds = set(JournalEntry.objects.values_list("kind", flat=True))
    assert kinds >= {"gift", "refund", "expenditure", "pool_deposit", "match", "match_return", "commitment", "release"}

    by_entry = defaultdict(list)
    for entry_id, amount, currency in Posting.objects.values_list("entry_id", "amount", "currency"):
        by_entry[entry_id].append((amount, currency))
    for entry in JournalEntry.objects.all():
        lines = by_entry[entry.pk]
        assert len(lines) >= 2 and all(amount != 0 for amount, _c in lines), entry
        assert sum(amount for amount, _c in lines) == 0, entry  # debits = credits
        assert {c for _a, c in lines} == {entry.currency}
        assert entry.amount == sum(amount for amount, _c in lines if amount > 0)
    assert Posting.objects.aggregate(total=Sum("amount"))["total"] == 0  # so the whole book balances


@pytest.mark.parametrize(
    "lines",
    [
        ([5000], UnbalancedEntry),  # one posting
        ([5000, -4999], UnbalancedEntry),  # does not balance
        ([5000, 0, -5000], UnbalancedEntry),  # a zero posting
        ([50.0, -50.0], TypeError),  # not Money: never posted (Money itself refuses a fraction of a fen)
        ([True, -1], TypeError),
    ],
    ids=["single", "unbalanced", "zero", "float", "bool"],
)
def test_an_unbalanced_entry_is_refused_and_nothing_is_written(project, lines):
    lines, refusal = lines
    accounts = [services.project_fund_account(project),
                services.organisation_cash_account(project.organisation_id, "CNY"),
                services.project_committed_account(project)]
    amounts = [Money(value, "CNY") if refusal is UnbalancedEntry else value for value in lines]
    before = journal()
    with pytest.raises(refusal):
        services.entry_post(kind="fee", reference="fee-1", project=project, lines=list(zip(accounts, amounts, strict=False)))
    assert journal() == before


def test_a_movement_is_journalled_once(project):
    lines = [(services.organisation_cash_account(project.organisation_id, "CNY"), Money(100, "CNY")),
             (services.project_fund_account(project), Money(-100, "CNY"))]
    services.entry_post(kind="fee", reference="fee-2", project=project, lines=lines)
    before = journal()
    with pytest.raises(Conflict) as refused:
        services.entry_post(kind="fee", reference="fee-2", project=project, lines=lines)
    assert refused.value.code == "already_journalled"
    assert journal() == before
    # The same reference under another kind is another movement.
    services.entry_post(kind="expenditure", reference="fee-2", project=project, lines=lines)


def test_a_gift_and_its_refund_move_cash_and_fund_together(project):
    finance = make_member(project.organisation, "finance")
    cash = services.organisation_cash_account(project.organisation_id, "CNY")
    gift = paid_gift(project, 5000)
    assert (account_balance(cash).amount, fund(project)) == (5000, 5000)
    refund(gift, 1500, actor=finance)
    assert (account_balance(cash).amount, fund(project)) == (3500, 3500)


def test_spending_up_to_what_is_held_and_not_a_fen_more(project):
    finance = make_member(project.organisation, "finance")
    paid_gift(project, 10_000)
    first = spend(project, 6000, actor=finance)
    entry = JournalEntry.objects.get(kind="expenditure", reference=str(first.pk))
    assert (entry.amount, entry.project_id, fund(project)) == (6000, project.pk, 4000)
    assert Fact.objects.filter(kind="expenditure", ref=str(first.pk)).exists()

    before = journal()
    with pytest.raises(Conflict) as refused:
        spend(project, 4001, actor=finance)
    assert refused.value.code == "insufficient_funds"
    assert journal() == before

    services.commitment_post(project=project, reference="batch-7", amount=Money(1000, "CNY"), memo="set aside for a batch")
    before = journal()
    with pytest.raises(Conflict):
        spend(project, 3001, actor=finance)  # what a batch holds is not available either
    assert journal() == before
    spend(project, 3000, actor=finance)
    with pytest.raises(Conflict):
        spend(project, 1, actor=finance)


def test_spending_is_refused_to_others_and_outside_the_project(project):
    finance = make_member(project.organisation, "finance")
    paid_gift(project, 10_000)
    before = journal()
    for outsider in (make_member(project.organisation, "editor"), make_member(make_project().organisation, "finance")):
        with pytest.raises(Forbidden):
            spend(project, 100, actor=outsider)
    with pytest.raises(Invalid) as refused:
        spend(project, 100, actor=finance, line=make_project().budget_lines.first())
    assert refused.value.code == "budget_line_mismatch"
    for fen in (0, -100):
        with pytest.raises(Invalid):
            spend(project, fen, actor=finance)
    with pytest.raises(MoneyError):  # a fraction of a fen is not money: it never reaches the service
        Money(1.5, "CNY")
    with pytest.raises(Invalid):
        spend(project, 100, actor=finance, description="   ")
    draft = make_project(project.organisation, status="draft")
    with pytest.raises(Conflict):
        spend(draft, 100, actor=finance, line=draft.budget_lines.first())
    assert journal() == before
