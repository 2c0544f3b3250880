"""The campaigns API: list and detail shapes with live totals, creation by staff,
applications and their review, and gifts through a campaign (window, membership, replays)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jusha.core.money import Money
from jusha.campaigns.models import Application, Campaign
from jusha.giving.models import Donation
from jusha.giving.services import donation_refund
from jusha.ledger.checks import ledger_problems
from jusha.matching.models import Match
from jusha.matching.selectors import active_pools_forget
from jusha.payments.sandbox import SandboxProvider
from tests.factories import give, make_campaign, make_member, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user:
        client.force_login(user)
    return client


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def running():
    warm, uniforms = make_project(goal=10_000_000, title="Warm packs"), make_project(goal=10_000_000, title="Uniforms")
    campaign = make_campaign(projects=[warm, uniforms])
    pool = make_pool(campaign=campaign, budget=100_000)
    return campaign, pool, warm, uniforms


def test_list_and_detail_shapes_with_live_totals(running):
    campaign, pool, warm, uniforms = running
    make_campaign(publish=False)  # unpublished: not listed
    give(warm, 5000)
    give(uniforms, 2000, anonymous=True, name="Secret")
    refunded = give(warm, 1000)
    donation_refund(donation=refunded, amount=Money(1000, "CNY"), reason="asked", actor=make_member(warm.organisation, "finance"))
    give(make_project(), 7000)  # not in the campaign

    listing = client_for().get("/api/v1/campaigns").json()
    assert listing["count"] == 1 and listing["items"][0]["slug"] == campaign.slug
    body = client_for().get(f"/api/v1/campaigns/{campaign.slug}").json()
    assert {"slug", "starts_at", "ends_at", "raised", "matched", "donors", "pools", "projects"} <= set(body)
    assert (body["raised"], body["matched"], body["total"], body["donors"]) == (7000, 7000, 14_000, 2)
    assert body["pools"] == [pool.pk] and body["phase"] == "open" and "+08:00" in body["ends_at"]
    assert body["projects"] == [warm.slug, uniforms.slug]  # leaderboard order: most given plus matched
    assert body["leaderboard"][0] == {
        "project": warm.slug, "title": "Warm packs", "organisation": warm.organisation.name,
        "raised": 5000, "matched": 5000, "total": 10_000, "donors": 1,
    }
    names = [item["donor_name"] for item in body["recent"]]
    assert "Secret" not in names and len(names) == 2  # the anonymous choice is respected
    assert body["recent"][0]["matched"] == 2000
    assert client_for().get("/api/v1/campaigns/nope").status_code == 404


def test_staff_create_campaigns_and_contradictions_are_422():
    staff = make_user(is_staff=True)
    now = timezone.now()
    body = {"slug": "99-giving-day", "title": "99 Giving Day", "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=3)).isoformat(), "daily_opens": "09:00", "daily_closes": "21:00", "publish": True}
    assert post(client_for(make_user()), "/api/v1/campaigns", body).status_code == 403
    for changes, code in [
        ({"ends_at": (now - timedelta(hours=1)).isoformat()}, "invalid_window"),
        ({"daily_opens": "22:00"}, "invalid_hours"),
        ({"daily_closes": None}, "invalid_hours"),
        ({"slug": "九九"}, "invalid_slug"),
    ]:
        response = post(client_for(staff), "/api/v1/campaigns", {**body, **changes})
        assert response.status_code == 422 and response.json()["code"] == code, response.content
    assert not Campaign.objects.exists()
    response = post(client_for(staff), "/api/v1/campaigns", body)
    assert response.status_code == 201 and response.json()["daily_hours"] == ["09:00:00", "21:00:00"]
    assert post(client_for(staff), "/api/v1/campaigns", body).json()["code"] == "slug_taken"


def test_applications_and_their_review():
    campaign = make_campaign()
    project = make_project()
    owner = project.organisation.memberships.get(role="owner").user
    url = f"/api/v1/campaigns/{campaign.slug}/applications"
    assert post(client_for(make_user()), url, {"project": project.slug}).status_code == 403
    response = post(client_for(owner), url, {"project": project.slug, "pitch": "Warm winters"})
    assert response.status_code == 201 and response.json()["status"] == "applied"
    assert post(client_for(owner), url, {"project": project.slug}).json()["code"] == "already_applied"
    move = f"{url}/{response.json()['id']}/transition"
    refused = post(client_for(owner), move, {"target": "accepted"})
    assert refused.status_code == 409 and Application.objects.get().status == "applied"
    staff = make_user(is_staff=True)
    assert post(client_for(staff), move, {"target": "rejected"}).json()["code"] == "reason_required"
    accepted = post(client_for(staff), move, {"target": "accepted"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert post(client_for(make_user()), move, {"target": "withdrawn"}).status_code == 404


def test_gifts_through_a_campaign(running):
    campaign, _pool, warm, _uniforms = running
    url = f"/api/v1/campaigns/{campaign.slug}/donations"
    outsider = make_project()
    response = post(client_for(), url, {"project": outsider.slug, "amount": 1000}, HTTP_IDEMPOTENCY_KEY="a")
    assert response.status_code == 422 and response.json()["code"] == "project_not_in_campaign"
    assert post(client_for(), url, {"project": warm.slug, "amount": 1000}).status_code == 400  # no key
    assert not Donation.objects.exists()

    first = post(client_for(), url, {"project": warm.slug, "amount": 1000}, HTTP_IDEMPOTENCY_KEY="b")
    again = post(client_for(), url, {"project": warm.slug, "amount": 1000}, HTTP_IDEMPOTENCY_KEY="b")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Donation.objects.count() == 1
    donation = Donation.objects.get()
    SandboxProvider().complete(donation.intent_id, "succeeded")
    SandboxProvider().complete(donation.intent_id, "succeeded")  # a replayed notification
    assert Match.objects.get(donation=donation).amount == 1000 and Match.objects.count() == 1

    Campaign.objects.filter(pk=campaign.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    active_pools_forget()  # the window moved behind the services' back, not by time passing
    after = post(client_for(), url, {"project": warm.slug, "amount": 1000}, HTTP_IDEMPOTENCY_KEY="c")
    assert after.status_code == 409 and after.json()["code"] == "campaign_not_open"
    assert Donation.objects.count() == 1
    give(warm, 1000)  # still a gift to the project, but after the window: no match
    assert Match.objects.count() == 1
    assert ledger_problems() == []


def test_a_project_in_two_campaigns_counts_each_gift_in_the_window_it_fell_in():
    project = make_project(goal=10_000_000)
    now = timezone.now()
    earlier = make_campaign(projects=[project], starts_at=now - timedelta(days=5))
    Campaign.objects.filter(pk=earlier.pk).update(ends_at=now - timedelta(days=4))  # it ended before this gift
    current = make_campaign(projects=[project])
    give(project, 4000)
    totals = {c["slug"]: c["raised"] for c in client_for().get("/api/v1/campaigns").json()["items"]}
    assert totals == {earlier.slug: 0, current.slug: 4000}
