"""Many simultaneous gifts crossing the threshold, with refunds racing them: each batch is
created exactly once, never without the money for it. PostgreSQL only: SQLite runs one
writer at a time, so there is no race to lose there."""

import pytest

from jusha.core.money import Money
from jusha.core.client import ClientContext
from jusha.fulfilment import services
from jusha.fulfilment.models import Batch, BatchPlan
from jusha.giving.models import Donation
from jusha.giving.services import donation_open, donation_refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.payments.sandbox import SandboxProvider
from tests.concurrency import require_postgres, run_at_once
from tests.fulfilment.conftest import COST, member, warm_project

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GIFTS, AMOUNT = 40, 2_500  # 100,000 fen: ten batches of 10,000, crossed by every fourth gift


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()




def test_simultaneous_gifts_create_each_batch_exactly_once():
    project = warm_project(goal=1_000_000)
    intents = [donation_open(project=project, amount=Money(AMOUNT, "CNY"), client=ClientContext())[0].intent_id for _ in range(GIFTS)]
    # Each payment commits, then its after-commit check runs in the same thread, as in production.
    _results, errors = run_at_once([lambda i=i: SandboxProvider().complete(i, "succeeded") for i in intents])
    assert errors == []
    assert Donation.objects.filter(status="paid").count() == GIFTS
    assert list(Batch.objects.order_by("number").values_list("number", flat=True)) == list(range(1, 11))
    assert JournalEntry.objects.filter(kind="commitment").count() == 10
    sums = project_sums([project.pk])[project.pk]
    assert (sums.raised, sums.held_for_batches, sums.available) == (GIFTS * AMOUNT, 10 * COST, 0)
    assert ledger_problems() == []


def test_refunds_racing_batch_creation_never_take_committed_money():
    project = warm_project(goal=1_000_000, size=None)
    finance = member(project, "finance")
    early = [donation_open(project=project, amount=Money(AMOUNT, "CNY"), client=ClientContext())[0] for _ in range(8)]
    for d in early:  # 20,000 fen held before any plan: refundable, or material for two batches
        SandboxProvider().complete(d.intent_id, "succeeded")
    BatchPlan.objects.create(project=project, batch_size=5)  # planned without its check: the race makes them
    intents = [donation_open(project=project, amount=Money(AMOUNT, "CNY"), client=ClientContext())[0].intent_id for _ in range(24)]
    calls = [lambda i=i: SandboxProvider().complete(i, "succeeded") for i in intents]
    calls += [lambda: services.batches_create_due(project_id=project.pk)] * 4  # the safety net, four times at once
    refunds = [
        lambda d=d: donation_refund(donation=Donation.objects.get(pk=d.pk), amount=Money(AMOUNT, "CNY"), reason="Race", actor=finance)
        for d in early
    ]
    _results, errors = run_at_once(calls + refunds)
    # Refunds that came too late are refused for lack of uncommitted funds; nothing else fails.
    assert all(getattr(e, "code", "") == "exceeds_refundable" for e in errors), errors
    services.batches_create_all_due()
    sums = project_sums([project.pk])[project.pk]
    batches = list(Batch.objects.order_by("number").values_list("number", flat=True))
    assert batches == list(range(1, len(batches) + 1))
    assert sums.held_for_batches == len(batches) * COST and 0 <= sums.available < COST
    assert sums.raised == 32 * AMOUNT - (8 - len(errors)) * AMOUNT
    assert ledger_problems() == []


def test_a_cancellation_racing_batch_creation_leaves_no_money_held():
    """Batch creators and the project's cancellation at once: whichever goes first, no batch
    is left waiting for a purchase and no money stays committed; every gift is refunded."""
    from jusha.projects.services import project_transition
    from tests.factories import make_user

    project = warm_project(goal=1_000_000, size=None)
    for d in [donation_open(project=project, amount=Money(AMOUNT, "CNY"), client=ClientContext())[0] for _ in range(12)]:
        SandboxProvider().complete(d.intent_id, "succeeded")  # 30,000 fen: three batches' worth
    BatchPlan.objects.create(project=project, batch_size=5)  # planned without its check: the race makes them
    staff = make_user(is_staff=True)
    calls = [lambda: services.batches_create_due(project_id=project.pk)] * 4
    calls.append(lambda: project_transition(project=project, target="cancelled", actor=staff, reason="Race"))
    assert run_at_once(calls)[1] == []
    assert not Batch.objects.filter(project=project, status="created").exists()
    sums = project_sums([project.pk])[project.pk]
    assert (sums.held_for_batches, sums.available) == (0, 0)
    assert sum(Donation.objects.values_list("refunded_amount", flat=True)) == 12 * AMOUNT
    assert ledger_problems() == []
