"""Matching on pages: the matched amount on the receipt and the project page, the public
pool page, and the staff review queue with its evidence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.core.models import AuditLog
from jusha.ledger.checks import ledger_problems
from jusha.matching.models import Match, Pool
from tests.factories import give, make_campaign, make_member, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched():
    project = make_project(goal=10_000_000)
    campaign = make_campaign(projects=[project])
    pool = make_pool(campaign=campaign, budget=100_000)
    return project, pool, give(project, 5000)


def test_receipt_and_project_page_show_the_match(client, matched):
    project, pool, donation = matched
    receipt = client.get(f"/donations/{donation.pk}/?access_token={donation.access_token}", follow=True).content.decode()
    assert 'data-testid="donation-matched"' in receipt and "¥50.00" in receipt and pool.sponsor.name in receipt
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert 'data-testid="project-matched"' in page and "¥50.00" in page and f"/pools/{pool.pk}/" in page
    ledger = client.get(f"/ledger/{project.slug}/")
    assert ledger.status_code == 200


def test_pool_page_publishes_the_hash_then_the_seed(client, matched):
    _project, pool, donation = matched
    page = client.get(f"/pools/{pool.pk}/").content.decode()
    assert pool.seed_hash in page and pool.seed not in page and str(donation.pk)[:8] in page
    assert "basis points" not in page and ">1:1</td>" in page  # the ratio as donors read it (issue 14)
    Pool.objects.filter(pk=pool.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert pool.seed in client.get(f"/pools/{pool.pk}/").content.decode()
    draft = make_pool(funded=False, active=False)
    assert client.get(f"/pools/{draft.pk}/").status_code == 404


def test_review_queue_shows_evidence_and_staff_decide(client, matched):
    project, pool, _donation = matched
    member = make_member(project.organisation, "editor")
    held = give(project, 2000, donor=member)
    client.force_login(make_user())
    assert client.get("/pools/review/").status_code == 403
    assert client.post(f"/pools/review/{held.pk}/", {"decision": "release"}).status_code == 403
    assert Match.objects.get(donation=held).status == "held"

    client.force_login(pool.staff)
    page = client.get("/pools/review/").content.decode()
    assert "The donor is a member of the project&#x27;s organisation." in page and project.title in page
    client.post(f"/pools/review/{held.pk}/", {"decision": "reject", "note": ""})
    assert Match.objects.get(donation=held).status == "held"  # a note is required to reject
    client.post(f"/pools/review/{held.pk}/", {"decision": "reject", "note": "own money"})
    assert Match.objects.get(donation=held).status == "returned"
    assert AuditLog.objects.filter(action="match.reject", actor=pool.staff).exists()
    assert "No matches are held." in client.get("/pools/review/").content.decode()
    assert ledger_problems() == []


def test_admin_release_action(admin_client, matched):
    project, _pool, _donation = matched
    held = give(project, 2000, donor=make_member(project.organisation, "editor"))
    match = Match.objects.get(donation=held)
    admin_client.post("/admin/matching/match/", {"action": "release", "_selected_action": [match.pk]})
    match.refresh_from_db()
    assert match.status == "released"
    assert ledger_problems() == []
