"""The matching API: pool shapes, the audit trail (seed hash before, seed after, every draw
recomputable), writes by sponsors and staff, and the donation's match fields."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.giving.services import donation_refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.matching.models import Deposit, GiftContext, Match, Pool
from jusha.payments.sandbox import SandboxProvider
from tests.factories import give, make_campaign, make_member, make_org, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user:
        client.force_login(user)
    return client


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def pool_body(org, **changes):
    now = timezone.now()
    return {
        "sponsor": org.slug, "name": "Tengda 1:1", "budget": 100_000, "ratio": {"min_bp": 10_000, "max_bp": 10_000},
        "min_gift": 100, "gift_cap": 10_000, "starts_at": (now + timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(), **changes,
    }


def snapshot():
    return (Pool.objects.count(), Deposit.objects.count(), Match.objects.count(), JournalEntry.objects.count())


def test_pool_shape_seed_hash_then_seed_and_every_draw_recomputable():
    project = make_project(goal=10_000_000)
    campaign = make_campaign(projects=[project])
    pool = make_pool(campaign=campaign, budget=50_000, min_bp=5_000, max_bp=15_000, gift_cap=8_000)
    gifts = [give(project, amount) for amount in (1000, 2500, 3333, 9000)]
    body = client_for().get(f"/api/v1/pools/{pool.pk}").json()
    assert {"id", "budget", "spent", "remaining", "seed_hash", "rules"} <= set(body)
    assert body["id"] == pool.pk and body["budget"] == 50_000 and body["campaign"] == campaign.slug
    assert body["spent"] == sum(Match.objects.values_list("amount", flat=True)) and body["held"] == 0
    assert body["remaining"] == 50_000 - body["spent"]
    assert body["rules"]["ratio"] == {"kind": "random", "min_bp": 5_000, "max_bp": 15_000}
    assert body["rules"]["gift_cap"] == 8_000 and body["rules"]["day"] == "Asia/Shanghai"
    assert body["seed"] is None  # secret while matching goes on
    assert "+08:00" in body["starts_at"]

    Pool.objects.filter(pk=pool.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    body = client_for().get(f"/api/v1/pools/{pool.pk}").json()
    seed = body["seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == body["seed_hash"]
    matches = client_for().get(f"/api/v1/pools/{pool.pk}/matches").json()
    assert matches["count"] == len(gifts)
    for item in matches["items"]:
        digest = hmac.new(bytes.fromhex(seed), item["donation"].encode(), hashlib.sha256).digest()
        bp = 5_000 + int.from_bytes(digest, "big") % 10_001
        assert item["ratio_bp"] == bp and item["amount"] == min(item["gift"] * bp // 10_000, 8_000)


def test_sponsor_creates_a_pool_and_contradictory_rules_are_422_changing_nothing():
    sponsor = make_org()
    owner = make_member(sponsor, "finance")
    response = post(client_for(owner), "/api/v1/pools", pool_body(sponsor))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["deposited"] == 0 and len(body["seed_hash"]) == 64 and body["seed"] is None

    before = snapshot()
    later = timezone.now() - timedelta(days=1)
    for changes, code in [
        ({"gift_cap": 50}, "cap_below_minimum"),
        ({"ratio": {"min_bp": 0, "max_bp": 0}}, "invalid_ratio"),
        ({"ratio": {"min_bp": -1, "max_bp": 100}}, "invalid_ratio"),
        ({"ends_at": later.isoformat()}, "invalid_window"),
        ({"tranches": [50_000, 40_000]}, "invalid_tranches"),
        ({"budget": "100"}, "invalid"),
        ({"currency": "XYZ"}, "invalid_currency"),
        ({"currency": "USD"}, "invalid_currency"),
        ({"sponsor": "nobody"}, "unknown_sponsor"),
        ({"projects": ["no-such-project"]}, "unknown_project"),
        ({"starts_at": "2026-09-07T00:00:00"}, "invalid_window"),
    ]:
        response = post(client_for(owner), "/api/v1/pools", pool_body(sponsor, **changes))
        assert response.status_code == 422, (changes, response.content)
        assert response.json()["code"] == code and response.json()["detail"]
    assert post(client_for(make_user()), "/api/v1/pools", pool_body(sponsor)).status_code == 403
    assert post(client_for(), "/api/v1/pools", pool_body(sponsor)).status_code == 401
    assert snapshot() == before


def test_project_not_in_the_campaign_is_422():
    inside, outside = make_project(), make_project()
    campaign = make_campaign(projects=[inside])
    sponsor = make_org()
    body = pool_body(sponsor, campaign=campaign.slug, starts_at=None, ends_at=None, projects=[outside.slug])
    response = post(client_for(make_member(sponsor)), "/api/v1/pools", body)
    assert response.status_code == 422 and response.json()["code"] == "project_not_in_campaign"
    assert not Pool.objects.exists()


def test_deposits_are_staff_only_idempotent_and_activation_needs_them():
    sponsor = make_org()
    owner, staff = make_member(sponsor), make_user(is_staff=True)
    pool_id = post(client_for(owner), "/api/v1/pools", pool_body(sponsor)).json()["id"]
    url = f"/api/v1/pools/{pool_id}"

    response = post(client_for(staff), f"{url}/activate")
    assert response.status_code == 409 and response.json()["code"] == "pool_not_funded"
    deposit = {"amount": 100_000, "reference": "ICBC-20260907-01"}
    assert post(client_for(staff), f"{url}/deposits", deposit).status_code == 400  # no Idempotency-Key
    before = snapshot()
    response = post(client_for(owner), f"{url}/deposits", deposit, HTTP_IDEMPOTENCY_KEY="d1")
    assert response.status_code == 403 and snapshot() == before
    response = post(client_for(staff), f"{url}/deposits", {"amount": 100_001, "reference": "x"}, HTTP_IDEMPOTENCY_KEY="d2")
    assert response.status_code == 409 and response.json()["code"] == "deposit_exceeds_budget" and snapshot() == before

    first = post(client_for(staff), f"{url}/deposits", deposit, HTTP_IDEMPOTENCY_KEY="d3")
    again = post(client_for(staff), f"{url}/deposits", deposit, HTTP_IDEMPOTENCY_KEY="d3")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Deposit.objects.count() == 1 and JournalEntry.objects.filter(kind="pool_deposit").count() == 1
    assert post(client_for(owner), f"{url}/activate").status_code == 409  # staff only: transition refused
    response = post(client_for(staff), f"{url}/activate")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert ledger_problems() == []


def test_draft_pools_are_private_to_their_sponsor_and_staff():
    sponsor = make_org()
    owner = make_member(sponsor)
    pool = make_pool(sponsor=sponsor, funded=False, active=False)
    assert client_for().get(f"/api/v1/pools/{pool.pk}").status_code == 404
    assert client_for(make_user()).get(f"/api/v1/pools/{pool.pk}").status_code == 404
    assert client_for(owner).get(f"/api/v1/pools/{pool.pk}").status_code == 200
    assert client_for().get("/api/v1/pools/999999").status_code == 404


def test_donation_object_gains_matched_and_match_status():
    project = make_project(goal=10_000_000)
    pool = make_pool(campaign=make_campaign(projects=[project]))
    created = post(client_for(), f"/api/v1/projects/{project.slug}/donations", {"amount": 3000}, HTTP_IDEMPOTENCY_KEY="k")
    assert created.status_code == 201
    assert (created.json()["matched"], created.json()["match_status"]) == (0, "none")
    assert GiftContext.objects.filter(donation_id=created.json()["id"]).exists()

    paid = give(project, 5000)
    body = client_for().get(f"/api/v1/donations/{paid.pk}").json()
    assert (body["matched"], body["match_status"]) == (5000, "matched")
    held = give(project, 2000, donor=project.organisation.memberships.get(role="owner").user)
    body = client_for().get(f"/api/v1/donations/{held.pk}").json()
    assert (body["matched"], body["match_status"]) == (2000, "held")

    url = f"/api/v1/matches/{held.pk}"
    before = snapshot()
    assert post(client_for(make_user()), f"{url}/release").status_code == 403
    assert post(client_for(), f"{url}/release").status_code == 401
    assert snapshot() == before
    assert post(client_for(pool.staff), f"{url}/reject", {"note": ""}).status_code == 422
    response = post(client_for(pool.staff), f"{url}/release", {"note": "checked"})
    assert response.status_code == 200 and response.json()["status"] == "released"
    assert client_for().get(f"/api/v1/donations/{held.pk}").json()["match_status"] == "released"
    assert post(client_for(pool.staff), f"/api/v1/matches/{uuid.uuid4()}/release").status_code == 404

    donation_refund(donation=paid, amount=Money(5000, "CNY"), reason="asked", actor=make_member(project.organisation, "finance"))
    body = client_for().get(f"/api/v1/donations/{paid.pk}").json()
    assert (body["matched"], body["match_status"], body["status"]) == (0, "returned", "refunded")
    assert ledger_problems() == []


def test_many_gifts_from_one_device_to_one_project_are_held(settings):
    settings.JUSHA_MATCHING = {**settings.JUSHA_MATCHING, "device_gifts": 3, "network_gifts": 100}
    project = make_project(goal=10_000_000)
    make_pool(campaign=make_campaign(projects=[project]))
    browser = client_for()
    browser.cookies["jusha_device"] = "device-abcdefghijklmnop"
    for i in range(3):
        body = post(browser, f"/api/v1/projects/{project.slug}/donations", {"amount": 1000}, HTTP_IDEMPOTENCY_KEY=f"g{i}").json()
        SandboxProvider().complete(Donation.objects.get(pk=body["id"]).intent_id, "succeeded")
    statuses = list(Match.objects.order_by("created_at").values_list("status", flat=True))
    assert statuses == ["matched", "matched", "held"]
    held = Match.objects.get(status="held")
    assert held.signals == [{"code": "repeat_device", "count": 3, "threshold": 3}]
    stored = GiftContext.objects.get(donation_id=held.donation_id)
    assert "abcdefghijklmnop" not in stored.device_hash and "127.0.0.1" not in stored.network_hash
    assert len(stored.device_hash) == len(stored.network_hash) == 64
    assert ledger_problems() == []
