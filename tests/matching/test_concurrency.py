"""Gifts paid at the same moment on PostgreSQL: the pool's row lock makes allocation first
come, first served and exact — never one fen over, the last gift gets the last fen."""

import pytest

from jusha.core.money import Money
from jusha.core.client import ClientContext
from jusha.giving.services import donation_open
from jusha.ledger.checks import ledger_problems
from jusha.matching.models import Match, Pool
from jusha.matching.selectors import pool_figures
from jusha.payments.sandbox import SandboxProvider
from tests.concurrency import require_postgres, run_at_once
from tests.factories import make_campaign, make_pool, make_project

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GIFTS, AMOUNT, BUDGET = 24, 3_000, 50_000  # 72,000 wanted of 50,000: the pool runs out mid-way


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_simultaneous_gifts_spend_the_pool_exactly():
    project = make_project(goal=10_000_000)
    pool = make_pool(campaign=make_campaign(projects=[project]), budget=BUDGET, gift_cap=AMOUNT)
    intents = [donation_open(project=project, amount=Money(AMOUNT, "CNY"), client=ClientContext())[0].intent_id for _ in range(GIFTS)]
    _results, errors = run_at_once([lambda i=i: SandboxProvider().complete(i, "succeeded") for i in intents])
    assert errors == []
    amounts = sorted(Match.objects.values_list("amount", flat=True), reverse=True)
    assert sum(amounts) == BUDGET  # all of it, not one fen more
    assert amounts == [AMOUNT] * (BUDGET // AMOUNT) + [BUDGET % AMOUNT]  # one partial match, the rest refused
    figures = pool_figures(Pool.objects.get(pk=pool.pk))
    assert (figures["spent"], figures["remaining"]) == (BUDGET, 0)
    assert ledger_problems() == []
