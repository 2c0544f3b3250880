"""A guest donates through the sandbox pay page and sees the progress bar and ledger change."""

import re

import pytest

from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from tests.factories import make_project

pytestmark = pytest.mark.django_db(transaction=True)


def test_guest_gives_and_sees_progress_and_ledger_move(page, live_server):
    project = make_project(goal=2_000_000, title="温暖包送老人")
    url = f"{live_server.url}/projects/{project.slug}/"

    page.goto(url)
    assert "温暖包送老人" in page.content()
    bar_before = page.locator(".progress-box").first.inner_text()

    page.get_by_role("link", name=re.compile("捐|Donate|Give")).first.click()
    page.locator("input[name=custom]").fill("88.50")
    page.locator("[name=message]").fill("冬天快乐")
    page.locator("form button[type=submit]").last.click()

    # The sandbox provider's hosted pay page.
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    assert "88.50" in page.content()
    page.locator("[data-testid=pay-succeed]").click()

    # Back on the receipt: paid, with a receipt number.
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))
    assert page.locator("[data-testid=receipt-number]").inner_text().startswith("JS")
    donation = Donation.objects.get()
    assert donation.status == "paid" and donation.amount == 8850
    assert JournalEntry.objects.filter(kind="gift", reference=str(donation.pk)).count() == 1

    page.goto(url)
    bar_after = page.locator(".progress-box").first.inner_text()
    assert bar_after != bar_before
    assert "88.50" in bar_after

    page.goto(f"{live_server.url}/ledger/{project.slug}/")
    ledger = page.locator("[data-testid=ledger]").inner_text()
    assert "¥88.50" in ledger and "8850" not in ledger  # in yuan, as people read it (issue 14)


def test_a_declined_payment_leads_back_to_the_form_with_the_amount(page, live_server):
    project = make_project(goal=2_000_000, title="温暖包送老人")
    page.goto(f"{live_server.url}/donations/new/{project.slug}/")
    page.locator("input[name=custom]").fill("¥８８.５０")  # a yuan sign and full-width digits, as a phone types them
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    page.locator("[data-testid=pay-fail]").click()
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))
    assert Donation.objects.get().status == "failed"
    page.locator("[data-testid=try-again]").click()
    page.wait_for_url(re.compile(rf"/donations/new/{project.slug}/\?amount=88\.50$"))
    assert page.locator("input[name=custom]").input_value() == "88.50"
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    assert Donation.objects.count() == 2
