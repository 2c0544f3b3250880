"""The benchmark-only endpoints (bench/): registered only with JUSHA_BENCH_ENDPOINTS, 404
otherwise. /bench/bare writes one row; /bench/naive/complete/<id> pays a sandbox gift like
the sandbox's complete call, but inside one transaction holding the project and pool rows."""

import importlib
import uuid
from collections import Counter

import pytest
from django.urls import clear_url_caches

from jusha.core.money import Money
from jusha.core.client import ClientContext
from jusha.bench.models import BenchRow
from jusha.giving.models import Donation
from jusha.giving.services import donation_open
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.matching.models import Match
from jusha.payments.models import PaymentEvent
from tests.factories import make_pool, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_endpoints(settings):
    """Switch the setting and rebuild config/urls.py as the server would at start-up."""
    import config.urls

    original = settings.JUSHA_BENCH_ENDPOINTS

    def use(on: bool):
        settings.JUSHA_BENCH_ENDPOINTS = on
        importlib.reload(config.urls)
        clear_url_caches()

    yield use
    use(original)


def pending_gift(project, amount=5000):
    donation, _token = donation_open(project=project, amount=Money(amount, project.currency), client=ClientContext())
    return donation


def naive_complete(client, donation_id):
    return client.post(f"/bench/naive/complete/{donation_id}")


def state():
    return (
        BenchRow.objects.count(),
        Counter(Donation.objects.values_list("status", flat=True)),
        JournalEntry.objects.count(),
        PaymentEvent.objects.count(),
        Match.objects.count(),
    )


def test_without_the_setting_both_endpoints_are_404_and_change_nothing(client, bench_endpoints):
    bench_endpoints(False)
    project = make_project()
    donation = pending_gift(project)
    before = state()
    assert client.post("/bench/bare").status_code == 404
    assert naive_complete(client, donation.pk).status_code == 404
    assert state() == before
    donation.refresh_from_db()
    assert donation.status == "pending"


def test_bare_writes_one_row(client, bench_endpoints):
    bench_endpoints(True)
    response = client.post("/bench/bare")
    assert response.status_code == 201
    assert BenchRow.objects.count() == 1


def test_naive_complete_pays_and_matches_the_gift_once(client, bench_endpoints, django_capture_on_commit_callbacks):
    bench_endpoints(True)
    project = make_project(goal=10_000_000)
    pool = make_pool(budget=100_000, gift_cap=2_000)
    donation = pending_gift(project, amount=5000)

    with django_capture_on_commit_callbacks(execute=True):
        response = naive_complete(client, donation.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notification"]["status"] == 200
    assert body["notification"]["body"]["duplicate"] is False
    assert body["donation"]["id"] == str(donation.pk)
    assert body["donation"]["status"] == "paid"
    assert body["donation"]["matched"] == 2_000 and body["donation"]["match_status"] == "matched"

    donation.refresh_from_db()
    assert donation.status == "paid"
    assert JournalEntry.objects.filter(kind="gift", reference=str(donation.pk)).count() == 1
    match = Match.objects.get(donation=donation)
    assert (match.pool_id, match.amount, match.journalled) == (pool.pk, 2_000, 2_000)
    sums = project_sums([project.pk])[project.pk]
    assert (sums.raised, sums.matched) == (5000, 2_000)
    assert ledger_problems() == []

    # The same call again is a duplicate notification: acknowledged, nothing changes.
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        again = naive_complete(client, donation.pk)
    assert again.status_code == 200, again.content
    assert again.json()["notification"]["body"]["duplicate"] is True
    assert state() == before


def test_naive_complete_of_an_unknown_or_failed_gift(client, bench_endpoints):
    bench_endpoints(True)
    response = naive_complete(client, uuid.uuid4())
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

    from jusha.payments.sandbox import SandboxProvider

    donation = pending_gift(make_project())
    SandboxProvider().complete(donation.intent_id, "failed")
    before = state()
    response = naive_complete(client, donation.pk)
    assert response.status_code == 409
    assert response.json()["code"] == "payment_already_completed"
    assert state() == before


def test_naive_complete_only_takes_post(client, bench_endpoints):
    bench_endpoints(True)
    donation = pending_gift(make_project())
    assert client.get(f"/bench/naive/complete/{donation.pk}").status_code == 405
