"""The public contract: project detail gains unit, unit_cost and batch_size; batches are
listed and shown with their timeline and deliveries, never a name or a signature."""

import datetime
import re

import pytest
from django.utils import timezone

from jusha.fulfilment.models import Batch
from tests.factories import give, image_upload, make_project
from tests.fulfilment.conftest import COST, UNIT, confirm, member, shipped_batch, warm_project

pytestmark = pytest.mark.django_db

SHANGHAI_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")
ITEM_KEYS = {
    "number", "units", "unit", "unit_cost", "cost", "currency", "status", "late", "due_at", "funded_at",
    "created_at", "purchased_at", "shipped_at", "delivered_at", "disclosed_at", "cancelled_at", "delivered_count", "carrier",
    "tracking_number", "url",
}


def test_project_detail_has_unit_cost_and_batch_size(client):
    project = warm_project()
    body = client.get(f"/api/v1/projects/{project.slug}").json()
    assert (body["unit"], body["unit_cost"], body["batch_size"]) == ("温暖包", UNIT, 5)
    plain = make_project()
    body = client.get(f"/api/v1/projects/{plain.slug}").json()
    assert (body["unit"], body["unit_cost"], body["batch_size"]) == ("", None, None)


def test_batches_list_shape_order_and_paging(client):
    project = warm_project()
    give(project, 3 * COST)
    body = client.get(f"/api/v1/projects/{project.slug}/batches").json()
    assert body["count"] == 3 and [b["number"] for b in body["items"]] == [3, 2, 1]
    item = body["items"][0]
    assert set(item) == ITEM_KEYS
    assert (item["units"], item["unit"], item["unit_cost"], item["cost"]) == (5, "温暖包", UNIT, COST)
    assert (item["status"], item["late"], item["delivered_count"], item["delivered_at"]) == ("created", False, 0, None)
    assert all(SHANGHAI_TIME.match(item[key]) for key in ("created_at", "funded_at", "due_at"))
    assert item["url"] == f"http://testserver/batches/{project.slug}/3/"
    page = client.get(f"/api/v1/projects/{project.slug}/batches?limit=1&offset=1").json()
    assert page["count"] == 3 and [b["number"] for b in page["items"]] == [2]
    assert client.get(f"/api/v1/projects/{project.slug}/batches?limit=0").status_code == 422


def test_a_late_batch_says_so(client):
    project = warm_project()
    give(project, COST)
    Batch.objects.update(status_changed_at=timezone.now() - datetime.timedelta(days=8))
    item = client.get(f"/api/v1/projects/{project.slug}/batches").json()["items"][0]
    assert item["late"] is True


def test_batch_detail_discloses_deliveries_without_identities(client):
    project = warm_project()
    give(project, COST)
    batch, editor = shipped_batch(project), member(project, "editor")
    confirm(batch, editor, "Elder 01", deliverer="Volunteer Li")
    confirm(batch, editor, "Elder 02", photo=image_upload("p.png"), photo_consent=True, others_consented=True)
    body = client.get(f"/api/v1/projects/{project.slug}/batches/1").json()
    assert body["status"] == "shipped" and body["delivered_count"] == 2
    assert (body["carrier"], body["tracking_number"]) == ("SF Express", "SF1234567890")
    assert body["invoice"]["amount"] == COST and len(body["invoice"]["voucher_sha256"]) == 64
    first, second = body["confirmations"]
    assert set(first) == {"recipient", "county", "county_name", "delivered_at", "photo_url"}
    assert (first["recipient"], first["county"], first["county_name"], first["photo_url"]) == (
        "Elder 01", "511921", "四川省 巴中市 通江县", None)
    assert second["photo_url"].startswith("http://testserver/media/deliveries/")
    text = str(body)
    assert "Volunteer" not in text and "signature" not in text


def test_unknown_batch_project_and_draft_are_404(client):
    project = warm_project()
    assert client.get(f"/api/v1/projects/{project.slug}/batches/9").json()["code"] == "batch_unknown"
    assert client.get("/api/v1/projects/nope/batches").status_code == 404
    draft = make_project(status="draft", unit_name="pack", unit_cost=UNIT)
    response = client.get(f"/api/v1/projects/{draft.slug}/batches")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_openapi_lists_the_batches(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/projects/{slug}/batches" in paths and "/api/v1/projects/{slug}/batches/{number}" in paths
