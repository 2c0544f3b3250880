"""Giving pages: the donate form, receipts, claiming a guest gift, finance's refund page."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from jusha.giving.models import Donation, Refund
from jusha.ledger.models import JournalEntry
from tests.factories import PASSWORD, give, make_member, make_project, make_user

pytestmark = pytest.mark.django_db


def donate_form(client, project):
    page = client.get(f"/donations/new/{project.slug}/")
    assert page.status_code == 200
    key = re.search(rb'name="idempotency_key" value="([0-9a-f]+)"', page.content).group(1).decode()
    return key


def test_guest_donates_through_the_form_and_reaches_the_receipt(client, project, django_capture_on_commit_callbacks):
    key = donate_form(client, project)
    response = client.post(
        f"/donations/new/{project.slug}/",
        {"custom": "66.60", "message": "<script>alert(1)</script>暖冬", "name": "<b>小雨</b>", "idempotency_key": key},
    )
    assert response.status_code == 302 and "/pay/sandbox/" in response["Location"]
    donation = Donation.objects.get()
    assert donation.amount == 6660 and donation.status == "pending"
    assert "<script>" not in donation.message and "暖冬" in donation.message

    # Double submit of the same form: the same gift, not a second one.
    again = client.post(f"/donations/new/{project.slug}/", {"custom": "66.60", "message": "<script>alert(1)</script>暖冬", "name": "<b>小雨</b>", "idempotency_key": key})
    assert again.status_code == 302 and Donation.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(response["Location"], {"result": "succeeded"})
    assert paid.status_code == 302
    receipt = client.get(paid["Location"], follow=True)
    assert receipt.status_code == 200
    donation.refresh_from_db()
    assert donation.status == "paid"
    assert donation.receipt_number.encode() in receipt.content
    printable = client.get(f"/donations/{donation.pk}/?print=1")
    assert donation.receipt_number.encode() in printable.content

    detail = client.get(f"/projects/{project.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "<b>小雨</b>" not in detail


@pytest.mark.parametrize("custom", ["0", "-5", "1.001", "abc", "99999999999"])
def test_bad_amounts_in_the_form_change_nothing(client, project, custom):
    key = donate_form(client, project)
    response = client.post(f"/donations/new/{project.slug}/", {"custom": custom, "idempotency_key": key})
    assert response.status_code == 200
    assert Donation.objects.count() == 0


def test_form_without_csrf_is_refused(project):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(f"/donations/new/{project.slug}/", {"preset": "1000", "idempotency_key": "k"})
    assert response.status_code == 403
    assert Donation.objects.count() == 0


def test_closed_project_donate_page_points_elsewhere(client):
    closed = make_project(status="completed")
    other = make_project()
    page = client.get(f"/donations/new/{closed.slug}/")
    assert other.title.encode() in page.content
    response = client.post(f"/donations/new/{closed.slug}/", {"preset": "1000", "idempotency_key": "abc"})
    assert response.status_code == 409
    assert Donation.objects.count() == 0


def test_receipt_private_parts_need_the_link_or_the_owner(client, project):
    gift = give(project, 5000, message="only for me", email="guest@example.org")
    stranger = client.get(f"/donations/{gift.pk}/")
    assert stranger.status_code == 200 and b"only for me" not in stranger.content
    with_link = client.get(f"/donations/{gift.pk}/?access_token={gift.access_token}", follow=True)
    assert b"only for me" in with_link.content


def test_guest_claims_gift_into_account_with_same_email(client, project):
    gift = give(project, 5000, email="guest@example.org")
    make_user("guest@example.org", email_verified_at=timezone.now())
    intruder = make_user("other@example.org", email_verified_at=timezone.now())

    other = Client()
    other.force_login(intruder)
    other.get(f"/donations/{gift.pk}/?access_token={gift.access_token}")
    other.post(f"/donations/{gift.pk}/claim/")
    gift.refresh_from_db()
    assert gift.donor_id is None

    assert client.login(username="guest@example.org", password=PASSWORD)
    client.get(f"/donations/{gift.pk}/?access_token={gift.access_token}")
    client.post(f"/donations/{gift.pk}/claim/")
    gift.refresh_from_db()
    assert gift.donor.email == "guest@example.org"
    mine = client.get("/donations/mine/")
    assert project.title.encode() in mine.content


def test_finance_refund_page_and_outsiders_refused(client, project):
    gift = give(project, 5000)
    finance = make_member(project.organisation, "finance")
    editor = make_member(project.organisation, "editor")

    client.force_login(editor)
    assert client.get(f"/donations/{gift.pk}/refund/").status_code == 403
    assert client.post(f"/donations/{gift.pk}/refund/", {"amount": "10", "reason": "x", "idempotency_key": "k"}).status_code == 403
    assert client.get(f"/donations/project/{project.slug}/").status_code == 403
    assert Refund.objects.count() == 0

    client.force_login(finance)
    listing = client.get(f"/donations/project/{project.slug}/")
    assert gift.receipt_number.encode() in listing.content
    bad = client.post(f"/donations/{gift.pk}/refund/", {"amount": "60", "reason": "too much", "idempotency_key": "k1"})
    assert bad.status_code == 422 and Refund.objects.count() == 0
    ok = client.post(f"/donations/{gift.pk}/refund/", {"amount": "10", "reason": "asked", "idempotency_key": "k2"})
    assert ok.status_code == 302
    gift.refresh_from_db()
    assert gift.refunded_amount == 1000 and gift.status == "partially_refunded"
    assert JournalEntry.objects.filter(kind="refund").count() == 1


def test_ledger_page_query_count_is_constant(client, project, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/ledger/{project.slug}/").status_code == 200
        return len(ctx.captured_queries)

    give(project, 100)
    few = count()
    for _ in range(15):
        give(project, 100)
    assert count() == few


def test_project_page_shows_finance_tools_only_to_finance(client, project):
    finance = make_member(project.organisation, "finance")
    editor = make_member(project.organisation, "editor")
    client.force_login(finance)
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert f"/donations/project/{project.slug}/" in page and f"/ledger/{project.slug}/expenditures/new/" in page
    client.force_login(editor)
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert f"/ledger/{project.slug}/expenditures/new/" not in page


def test_expenditure_page_records_with_voucher(client, project):
    from tests.factories import image_upload

    give(project, 50_000)
    client.force_login(make_member(project.organisation, "finance"))
    response = client.post(
        f"/ledger/{project.slug}/expenditures/new/",
        {"budget_line": project.budget_lines.first().pk, "amount": "120.50", "description": "棉衣 10 件",
         "spent_on": "2026-11-01", "voucher": image_upload()},
    )
    assert response.status_code == 302
    assert JournalEntry.objects.filter(kind="expenditure", amount=12050).count() == 1
    ledger = client.get(f"/ledger/{project.slug}/").content.decode()
    assert "棉衣 10 件" in ledger


def test_refund_links_and_tools_come_from_the_tables_and_roles(client):
    """The finance list offers a refund only where the donation table allows one; the project
    page offers the finance tools only to those who may use them."""
    from tests.factories import give, make_member, make_project, make_user

    project = make_project()
    paid, failed = give(project, 5000), give(project, 3000, result="failed")
    finance, editor = make_member(project.organisation, "finance"), make_member(project.organisation, "editor")
    client.force_login(finance)
    listing = client.get(f"/donations/project/{project.slug}/").content.decode()
    assert f"/donations/{paid.pk}/refund/" in listing and f"/donations/{failed.pk}/refund/" not in listing
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert "Gifts and refunds" in page and "Record an expenditure" in page
    client.force_login(editor)
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert "Gifts and refunds" not in page and "Record an expenditure" not in page
    client.force_login(make_user())
    assert "Gifts and refunds" not in client.get(f"/projects/{project.slug}/").content.decode()


def test_a_gift_far_above_the_gap_is_asked_about_once_then_opened(client):
    project = make_project(goal=100_000)  # ¥1,000 to go
    give(project, 90_000)  # ¥100 still needed
    key = donate_form(client, project)
    asked = client.post(f"/donations/new/{project.slug}/", {"custom": "¥５,000", "idempotency_key": key})
    assert asked.status_code == 200 and b'data-testid="gap-question"' in asked.content
    assert "¥5,000.00".encode() in asked.content and "¥100.00".encode() in asked.content
    assert Donation.objects.count() == 1  # nothing opened by the question
    assert b'name="confirmed" value="True"' in asked.content or b'name="confirmed" value="on"' in asked.content
    gone_on = client.post(f"/donations/new/{project.slug}/", {"custom": "¥５,000", "idempotency_key": key, "confirmed": "on"})
    assert gone_on.status_code == 302 and Donation.objects.count() == 2


def test_a_gift_within_the_gap_is_not_asked_about(client):
    project = make_project(goal=100_000)
    key = donate_form(client, project)
    response = client.post(f"/donations/new/{project.slug}/", {"custom": "１，０００元", "idempotency_key": key})
    assert response.status_code == 302 and Donation.objects.get().amount == 100_000


def test_a_declined_payment_offers_try_again_with_the_amount_and_the_way_back(client, project):
    key = donate_form(client, project)
    opened = client.post(f"/donations/new/{project.slug}/", {"custom": "66.60", "idempotency_key": key})
    declined = client.post(opened["Location"], {"result": "failed"}, follow=True)
    page = declined.content.decode()
    assert Donation.objects.get().status == "failed"
    assert 'data-testid="try-again"' in page and f"/donations/new/{project.slug}/?amount=66.60" in page
    assert f'href="/projects/{project.slug}/"' in page
    again = client.get(f"/donations/new/{project.slug}/?amount=66.60").content.decode()
    assert 'value="66.60"' in again
    hostile = client.get(f'/donations/new/{project.slug}/?amount="><script>x</script>').content.decode()
    assert "<script>x</script>" not in hostile
