"""GET /api/v1/projects and /api/v1/projects/{slug}."""

import re

import pytest

from tests.factories import give, make_project

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "slug", "title", "summary", "status", "cause", "region", "region_name", "goal", "raised", "gap", "donors",
    "currency", "ends_at", "organisation", "cover_url",
}
DETAIL_KEYS = ITEM_KEYS | {
    "story", "budget_lines", "unit", "unit_cost", "batch_size", "beneficiary_count", "shortfall_rule", "overflow_rule",
    "published_at", "days_left", "accepting_donations", "funds",
}
SHANGHAI_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def test_list_shape_and_public_only(client, org):
    project = make_project(org, region_code="511921")
    make_project(org, status="draft")
    give(project, 2_500)
    body = client.get("/api/v1/projects").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert set(item) == ITEM_KEYS
    assert item["slug"] == project.slug and item["status"] == "fundraising"
    assert item["region"] == "511921" and item["region_name"] == "四川省 巴中市 通江县"
    assert item["goal"] == 1_000_000 and item["raised"] == 2_500 and item["donors"] == 1 and item["currency"] == "CNY"
    assert item["organisation"] == {"slug": org.slug, "name": org.name}
    assert item["cover_url"] is None
    assert SHANGHAI_TIME.match(item["ends_at"])


def test_list_limit_offset_and_filters(client, org):
    slugs = [make_project(org, cause="elders" if n % 2 else "health").slug for n in range(5)]
    page = client.get("/api/v1/projects", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    everything = [p["slug"] for p in client.get("/api/v1/projects").json()["items"]]
    assert sorted(everything) == sorted(slugs)
    assert [p["slug"] for p in page["items"]] == everything[1:3]
    assert client.get("/api/v1/projects", {"offset": 10}).json() == {"items": [], "count": 5}
    assert client.get("/api/v1/projects", {"cause": "elders"}).json()["count"] == 2
    assert client.get("/api/v1/projects", {"region": "110000", "status": "fundraising", "q": "Project"}).json()["count"] == 5
    assert client.get("/api/v1/projects", {"region": "510000"}).json()["count"] == 0


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"offset": -1}, {"cause": "weapons"}, {"region": "999999"},
     {"status": "draft"}, {"q": "x" * 101}],
)
def test_list_bad_parameters_are_422(client, params):
    response = client.get("/api/v1/projects", params)
    assert response.status_code == 422
    assert set(response.json()) >= {"detail", "code"}


def test_detail_shape(client, org):
    project = make_project(org, goal=10_000, unit_name="warm pack", unit_cost=500, story="<p>Story</p>")
    give(project, 1_000)
    response = client.get(f"/api/v1/projects/{project.slug}")
    body = response.json()
    assert response.status_code == 200 and set(body) == DETAIL_KEYS
    assert body["budget_lines"] == [
        {"title": "Warm packs", "amount": 5_000, "spent": 0},
        {"title": "Delivery", "amount": 5_000, "spent": 0},
    ]
    assert body["unit"] == "warm pack" and body["unit_cost"] == 500 and body["beneficiary_count"] == 50
    assert body["shortfall_rule"] == "proportional" and body["overflow_rule"] == "refund"
    assert SHANGHAI_TIME.match(body["published_at"]) and body["days_left"] == 30
    assert body["accepting_donations"] is True and body["raised"] == 1_000 and body["story"] == "<p>Story</p>"
    assert body["gap"] == body["goal"] - 1_000
    assert body["funds"] == {"raised": 1_000, "matched": 0, "granted": 0, "granted_out": 0, "received": 1_000, "spent": 0, "fees": 0, "balance": 1_000,
                             "held_for_batches": 0, "available": 1_000}


def test_detail_of_funded_project_does_not_accept(client, org):
    body = client.get(f"/api/v1/projects/{make_project(org, status='funded').slug}").json()
    assert body["accepting_donations"] is False and body["days_left"] is None


@pytest.mark.parametrize("status", ["draft", "in_review", "changes_requested"])
def test_detail_of_unpublished_project_is_404(client, org, status):
    response = client.get(f"/api/v1/projects/{make_project(org, status=status).slug}")
    assert response.status_code == 404 and response.json()["code"] == "not_found" and response.json()["detail"]


def test_unknown_slug_is_404(client):
    response = client.get("/api/v1/projects/nothing-here")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
