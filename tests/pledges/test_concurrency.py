"""Several workers charging the same month at the same moment on PostgreSQL: every pledge is
charged exactly once (the unique pledge-and-period row, and rows locked with SKIP LOCKED)."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.payments.models import SandboxAgreementCharge
from jusha.pledges.models import PledgeCharge
from jusha.pledges.charging import pledges_charge_due
from tests.factories import make_project, make_user
from tests.pledges.helpers import signed_pledge

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS, PLEDGES = 6, 30


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises all writers): run with DATABASE_URL=postgres://…")


def test_simultaneous_runs_charge_each_pledge_once():
    project = make_project(goal=100_000_000)
    for n in range(PLEDGES):
        signed_pledge(make_user(f"m{n}@example.org"), project, amount=1_000 + n)
    barrier, errors, results = threading.Barrier(WORKERS), [], []

    def worker():
        try:
            barrier.wait()
            results.append(pledges_charge_due(today=date(2026, 12, 6), batch=7))
        except Exception as exc:  # noqa: BLE001 - asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert sum(r["succeeded"] for r in results) == PLEDGES
    assert PledgeCharge.objects.count() == PLEDGES == SandboxAgreementCharge.objects.count()
    assert Donation.objects.filter(status="paid").count() == PLEDGES
    assert ledger_problems() == []
    # And again, all at once: nothing more.
    assert pledges_charge_due(today=date(2026, 12, 6))["succeeded"] == 0


def test_the_database_refuses_a_second_row_for_the_period_under_a_race():
    project = make_project(goal=100_000_000)
    pledge = signed_pledge(make_user("race@example.org"), project)
    barrier, outcomes = threading.Barrier(4), []

    def insert():
        from django.db import IntegrityError, transaction
        try:
            barrier.wait()
            with transaction.atomic():
                PledgeCharge.objects.create(pledge=pledge, period="2026-12", scheduled_on=date(2026, 12, 6), amount=1, currency="CNY")
            outcomes.append("inserted")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=insert) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["inserted", "refused", "refused", "refused"]
