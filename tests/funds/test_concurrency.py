"""Cause-fund grants under concurrency on PostgreSQL: a grant never takes a project past its
goal, whether two grant runs start at once (the worker's and staff's by hand) or a gift to
the project is being paid while the grant decides."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.funds.models import Grant
from jusha.funds.services import fund_grant
from jusha.giving.services import donation_open
from jusha.ledger.checks import ledger_problems
from jusha.payments.sandbox import SandboxProvider
from jusha.projects.selectors import project_sums
from tests.factories import give, make_project

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises all writers): run with DATABASE_URL=postgres://…")


def _threads(targets):
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except Exception as exc:  # noqa: BLE001 - asserted on below
                errors.append(exc)
            finally:
                connections.close_all()
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return errors


def test_grant_runs_at_the_same_moment_grant_each_need_once(fund):
    first = make_project(goal=30_000, cause="children")
    second = make_project(goal=40_000, cause="children")
    give(fund.project, 100_000)
    barrier = threading.Barrier(4)

    def grant():
        barrier.wait()
        fund_grant(fund=fund)

    assert _threads([grant] * 4) == []
    sums = project_sums([first.pk, second.pk, fund.project_id])
    assert sums[first.pk].granted == 30_000 and sums[second.pk].granted == 40_000  # each need met once, exactly
    assert Grant.objects.count() == 2
    assert sums[fund.project_id].granted_out == 70_000 and sums[fund.project_id].available == 30_000
    assert ledger_problems() == []


def test_a_grant_waits_for_a_gift_being_paid_and_grants_only_what_is_left(fund):
    project = make_project(goal=50_000, cause="children")
    give(fund.project, 100_000)
    gift, _token = donation_open(project=project, amount=Money(20_000, "CNY"), client=ClientContext())
    paid, granted = threading.Event(), []

    def pay():
        # The gift's payment is recorded (its running total incremented) but not yet committed
        # when the grant starts deciding; it commits a moment later.
        with transaction.atomic():
            SandboxProvider().complete(gift.intent_id, "succeeded")
            paid.set()
            time.sleep(1.5)

    def grant():
        assert paid.wait(timeout=60)
        granted.extend(fund_grant(fund=fund))

    assert _threads([pay, grant]) == []
    sums = project_sums([project.pk, fund.project_id])
    assert sums[project.pk].raised == 20_000
    assert [g.amount for g in granted] == [30_000]  # the need left after the gift, not the 50,000 it read before
    assert sums[project.pk].raised + sums[project.pk].granted == 50_000  # exactly the goal, never over it
    assert sums[fund.project_id].available == 70_000
    assert ledger_problems() == []
