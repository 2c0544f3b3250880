"""The cooler (rational charity): the gap, the ranked alternatives of a full project, and
the pause screen (冷静一下) that never blocks."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.giving.models import Donation
from jusha.giving.rules import pause_reason
from jusha.projects.rules import gap
from tests.factories import give, make_org, make_project, make_user, PASSWORD

pytestmark = pytest.mark.django_db


def test_gap_rules():
    assert gap(goal=1000, toward_goal=400) == 600
    assert gap(goal=1000, toward_goal=1200) == 0


def test_pause_rules():
    assert pause_reason(gifts_today=3, amount=100, nth_gift=5, above=10_000) is None
    assert pause_reason(gifts_today=4, amount=100, nth_gift=5, above=10_000) == "nth_gift"
    assert pause_reason(gifts_today=0, amount=10_001, nth_gift=5, above=10_000) == "large"
    assert pause_reason(gifts_today=9, amount=1, nth_gift=0, above=0) is None  # both switched off


@pytest.fixture
def field():
    """A full project and others: same cause + province, same cause elsewhere, another cause."""
    org, other_org = make_org(), make_org()
    full = make_project(org, goal=10_000, cause="children", region_code="110101")
    give(full, 10_000)
    near = make_project(other_org, goal=50_000, cause="children", region_code="110105")  # gap 50,000
    near_urgent = make_project(other_org, goal=50_000, cause="children", region_code="110108",
                               ends_at=timezone.now() + timedelta(days=3))  # same gap, fewer days
    far = make_project(org, goal=900_000, cause="children", region_code="440300")  # larger gap, other province
    other_cause = make_project(org, goal=9_000_000, cause="elders", region_code="110101")  # largest gap, other cause
    return {"full": full, "near": near, "near_urgent": near_urgent, "far": far, "other_cause": other_cause}


def test_alternatives_are_ranked_by_cause_region_then_need_and_days_left(client, field):
    body = client.get(f"/api/v1/projects/{field['full'].slug}/alternatives").json()
    slugs = [item["slug"] for item in body["items"]]
    assert slugs == [field[k].slug for k in ("near_urgent", "near", "far", "other_cause")]
    assert body["count"] == 4
    first = body["items"][0]
    assert first["gap"] == 50_000 and first["days_left"] == 3 and first["title"] == field["near_urgent"].title
    assert first["ends_at"].endswith("+08:00")


def test_unknown_project_alternatives_404(client):
    assert client.get("/api/v1/projects/nope/alternatives").status_code == 404


def test_full_project_refusal_carries_alternatives_and_suggestions(client, field):
    before = Donation.objects.count()
    response = client.post(f"/api/v1/projects/{field['full'].slug}/donations", {"amount": 500, "currency": "CNY"},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "project_fully_funded"
    assert [a["slug"] for a in body["alternatives"]][:2] == [field["near_urgent"].slug, field["near"].slug]
    assert {"slug", "title", "gap", "ends_at", "days_left"} <= set(body["alternatives"][0])
    assert field["other_cause"].slug in body["suggestions"]  # kept for one release
    assert Donation.objects.count() == before


def test_project_detail_has_gap_matched_money_excluded(client):
    project = make_project(goal=30_000)
    give(project, 10_000)
    body = client.get(f"/api/v1/projects/{project.slug}").json()
    assert body["gap"] == 20_000 and body["accepting_donations"] is True


def test_donate_page_shows_gap_and_full_project_page_shows_ranked_alternatives(client, field):
    page = client.get(f"/donations/new/{field['near'].slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and b'data-testid="gap"' in page.content and "¥500.00".encode() in page.content
    full = client.get(f"/donations/new/{field['full'].slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    items = re.findall(r'data-testid="alternative">\s*<a href="/donations/new/([^/]+)/', full)
    assert items[:2] == [field["near_urgent"].slug, field["near"].slug]
    assert "3 days left" in full


def _key(client, project):
    page = client.get(f"/donations/new/{project.slug}/")
    return re.search(rb'name="idempotency_key" value="([0-9a-f]+)"', page.content).group(1).decode()


def test_fifth_gift_of_the_day_meets_the_pause_screen_and_can_go_on(client):
    project = make_project(goal=10_000_000)
    member = make_user("many@example.org")
    for _ in range(4):
        give(project, 1_000, donor=member)
    client.login(email=member.email, password=PASSWORD)
    key = _key(client, project)
    paused = client.post(f"/donations/new/{project.slug}/", {"preset": "1000", "idempotency_key": key})
    assert paused.status_code == 200 and b'data-testid="pause"' in paused.content
    assert Donation.objects.filter(donor=member).count() == 4  # nothing opened by the pause
    assert b'name="cooled" value="on"' in paused.content
    gone_on = client.post(f"/donations/new/{project.slug}/", {"preset": "1000", "idempotency_key": key, "cooled": "on"})
    assert gone_on.status_code == 302 and Donation.objects.filter(donor=member).count() == 5


def test_large_gift_meets_the_pause_screen_a_guest_too(client, settings):
    settings.JUSHA_PAUSE_ABOVE = 50_000
    project = make_project(goal=10_000_000)
    key = _key(client, project)
    paused = client.post(f"/donations/new/{project.slug}/", {"custom": "600", "idempotency_key": key})
    assert b'data-testid="pause"' in paused.content and Donation.objects.count() == 0
    small = client.post(f"/donations/new/{project.slug}/", {"custom": "20", "idempotency_key": _key(client, project)})
    assert small.status_code == 302 and Donation.objects.count() == 1


def test_the_api_is_never_paused(client, settings):
    settings.JUSHA_PAUSE_ABOVE = 1
    project = make_project(goal=10_000_000)
    response = client.post(f"/api/v1/projects/{project.slug}/donations", {"amount": 500_000, "currency": "CNY"},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="big")
    assert response.status_code == 201
