"""Pages: the project's timeline, a batch's disclosure, the organisation's steps (with the
conventions' statuses when refused), signatures for members only, a donor's impact."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jusha.core.models import AuditLog
from jusha.fulfilment.models import Batch, BatchPlan, DeliveryConfirmation
from tests.factories import give, image_upload, make_user
from tests.fulfilment.conftest import COST, confirm, member, purchase, shipped_batch, warm_project

pytestmark = pytest.mark.django_db
SHIPMENT = {"carrier": "EMS", "tracking_number": "EMS-0001"}


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_project_page_shows_the_timeline_with_a_late_batch(client):
    project = warm_project()
    give(project, 2 * COST + 2_500)
    Batch.objects.filter(number=1).update(status_changed_at=timezone.now() - datetime.timedelta(days=8))
    page = client.get(reverse("projects:detail", args=[project.slug])).content.decode()
    assert 'id="batches"' in page and "Every 5 × 温暖包 (¥100.00) make a batch" in page
    assert "Towards the next batch: ¥25.00 of ¥100.00" in page
    assert 'data-testid="batch-1"' in page and 'data-testid="batch-2"' in page
    batch_1 = page[page.index('data-testid="batch-1"'):]
    assert "Late" in batch_1 and "late: due by" in batch_1
    assert "Raised" in page and "Batch created" in page and "seconds later" in page
    assert "Committed to a delivery batch" in page and "Within the project" in page
    assert "Plan delivery batches" not in page  # a member's tool


def test_pages_read_a_constant_number_of_queries(client):
    project = warm_project(goal=1_000_000)
    donor = make_user()
    give(project, COST, donor=donor)
    batch = shipped_batch(project)
    editor = member(project, "editor")
    confirm(batch, editor, "Elder 01")
    urls = [reverse("projects:detail", args=[project.slug]), reverse("fulfilment:list", args=[project.slug]),
            reverse("fulfilment:detail", args=[project.slug, 1]), f"/api/v1/projects/{project.slug}/batches",
            f"/api/v1/projects/{project.slug}/batches/1"]
    client.force_login(donor)
    mine = reverse("giving:mine")
    few = [queries(client, url) for url in urls + [mine]]
    for n in range(4):
        give(project, COST, donor=donor)
    for n in range(2, 5):
        confirm(batch, editor, f"Elder 0{n}")
    assert [queries(client, url) for url in urls + [mine]] == few


def test_batch_page_discloses_and_hides_signatures_from_the_public(client):
    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    confirm(batch, member(project, "editor"), "Elder 01", deliverer="Volunteer Li")
    url = reverse("fulfilment:detail", args=[project.slug, 1])
    page = client.get(url).content.decode()
    assert "Elder 01" in page and "四川省 巴中市 通江县" in page and "SF1234567890" in page
    assert "supplier&#x27;s invoice" in page or "supplier's invoice" in page
    assert "Volunteer Li" not in page and "/signatures/" not in page and "Next step" not in page
    client.force_login(member(project, "finance"))
    page = client.get(url).content.decode()
    assert "Volunteer Li" in page and "/signatures/" in page and "Confirm a delivery" in page


def test_signatures_only_to_members_and_each_view_is_audited(client, donor):
    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    c = confirm(batch, member(project, "editor"), "Elder 01")
    url = reverse("fulfilment:signature", args=[project.slug, 1, c.pk])
    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(donor)
    assert client.get(url).status_code == 403
    assert client.get("/media/" + c.signature.name).status_code == 404  # not under MEDIA_ROOT
    assert not AuditLog.objects.filter(action="delivery.signature_view").exists()
    reader = member(project, "editor")
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    log = AuditLog.objects.get(action="delivery.signature_view")
    assert (log.actor, log.action, log.target_id) == (reader, "delivery.signature_view", str(c.pk))


def test_plan_page_for_editors_refuses_bad_sizes_with_422(client):
    project = warm_project(goal=10_000, size=None)
    url = reverse("fulfilment:plan", args=[project.slug])
    client.force_login(member(project, "finance"))
    assert client.get(url).status_code == 403
    client.force_login(member(project, "editor"))
    assert client.get(url).status_code == 200
    response = client.post(url, {"batch_size": "6"})
    assert response.status_code == 422 and "costs more than the goal" in response.content.decode()
    assert client.post(url, {"batch_size": "0"}).status_code == 422
    assert not BatchPlan.objects.exists()
    assert client.post(url, {"batch_size": "5"}).status_code == 302
    assert BatchPlan.objects.get().batch_size == 5
    page = client.get(reverse("projects:detail", args=[project.slug])).content.decode()
    assert "Plan delivery batches" in page


def test_purchase_ship_and_confirm_through_the_pages(client):
    project = warm_project()
    give(project, COST)
    finance = member(project, "finance")
    client.force_login(finance)
    url = reverse("fulfilment:purchase", args=[project.slug, 1])
    form = client.get(url).content.decode()
    assert 'value="100.00"' in form
    response = client.post(url, {
        "budget_line": project.budget_lines.first().pk, "amount": "98.50", "description": "Batch 1 packs",
        "spent_on": timezone.localdate().isoformat(), "voucher": image_upload("invoice.png"),
    })
    assert response.status_code == 302, response.content.decode()
    assert Batch.objects.get().expenditure.amount == 9_850
    response = client.post(reverse("fulfilment:ship", args=[project.slug, 1]), SHIPMENT)
    assert response.status_code == 302 and Batch.objects.get().status == "shipped"
    url = reverse("fulfilment:confirm", args=[project.slug, 1])
    assert client.get(url).status_code == 200
    data = {"recipient": "Elder 07", "county_code": "511921", "deliverer": "Li",
            "delivered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    response = client.post(url, {**data, "signature": image_upload("s.png"), "photo": image_upload("p.png")})
    assert response.status_code == 422 and "consent" in response.content.decode()
    assert not DeliveryConfirmation.objects.exists()
    response = client.post(url, {**data, "signature": image_upload("s.png")})
    assert response.status_code == 302 and DeliveryConfirmation.objects.get().recipient == "Elder 07"


def test_skipping_a_step_from_a_page_is_409_and_changes_nothing(client):
    project = warm_project()
    give(project, COST)
    client.force_login(member(project, "owner"))
    response = client.post(reverse("fulfilment:ship", args=[project.slug, 1]), SHIPMENT)
    assert response.status_code == 409 and "cannot go from" in response.content.decode()
    response = client.post(reverse("fulfilment:disclose", args=[project.slug, 1]), {"note": ""})
    assert response.status_code == 409
    assert Batch.objects.get().status == "created"


def test_outsiders_get_403_and_change_nothing(client, donor):
    project = warm_project()
    give(project, COST)
    client.force_login(donor)
    assert client.get(reverse("fulfilment:purchase", args=[project.slug, 1])).status_code == 403
    assert client.post(reverse("fulfilment:ship", args=[project.slug, 1]), SHIPMENT).status_code == 403
    assert client.get(reverse("fulfilment:confirm", args=[project.slug, 1])).status_code == 403
    client.force_login(member(project, "editor"))
    assert client.get(reverse("fulfilment:purchase", args=[project.slug, 1])).status_code == 403
    assert Batch.objects.get().status == "created" and Batch.objects.get().expenditure is None


def test_a_donor_sees_which_batches_their_money_went_into(client):
    project = warm_project()
    donor = make_user()
    give(project, 6_000)
    mine = give(project, 6_000, donor=donor)  # 4,000 completes batch 1, 2,000 waits for batch 2
    client.force_login(donor)
    page = client.get(reverse("giving:mine")).content.decode()
    assert "Where the money went" in page and f'href="/batches/{project.slug}/1/"' in page
    assert "¥40.00 into" in page and "batch 1" in page
    receipt = client.get(reverse("giving:receipt", args=[mine.pk])).content.decode()
    assert "¥40.00 into" in receipt and f"/batches/{project.slug}/1/" in receipt
    give(project, 8_000)  # batch 2: the rest of this gift is in it now
    receipt = client.get(reverse("giving:receipt", args=[mine.pk])).content.decode()
    assert "¥20.00 into" in receipt and f"/batches/{project.slug}/2/" in receipt


def test_the_dashboard_lists_batches_waiting_for_the_organisation(client):
    project = warm_project()
    give(project, COST)
    Batch.objects.update(status_changed_at=timezone.now() - datetime.timedelta(days=8))
    client.force_login(member(project, "finance"))
    page = client.get(reverse("organisations:dashboard")).content.decode()
    assert "Delivery batches waiting for you" in page and "Late: Purchase was due by" in page
