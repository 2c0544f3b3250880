"""A guest gives during the demo's giving day: the receipt shows the sponsor's match, and
the campaign's total moves by the gift plus its match."""

import re

import pytest
from playwright.sync_api import expect

from jusha.demo.loader import load_demo
from jusha.giving.models import Donation
from jusha.matching.models import Match

pytestmark = pytest.mark.django_db(transaction=True)


def fen(text: str) -> int:
    """"¥12,345.60" → 1234560."""
    whole, _dot, cents = re.search(r"([\d,]+)(\.(\d\d))?", text).group(1, 2, 3)
    return int(whole.replace(",", "")) * 100 + int(cents or 0)


def test_guest_gift_is_matched_on_the_receipt_and_moves_the_campaign_total(page, live_server, settings):
    settings.JUSHA_DEMO, settings.DEBUG = True, True
    load_demo(gifts=30, out=lambda *args: None)
    campaign_url = f"{live_server.url}/campaigns/99-giving-day/"

    page.goto(campaign_url)
    assert page.locator("[data-testid=campaign-phase]").inner_text()
    # The countdown ticks in the browser: [days + the page language's day unit] hh:mm:ss.
    expect(page.locator("[data-testid=countdown]")).to_have_text(re.compile(r"^(\d+(d|天) )?\d\d:\d\d:\d\d$"))
    total_before = fen(page.locator("[data-testid=campaign-total]").inner_text())
    matched_before = fen(page.locator("[data-testid=campaign-matched]").inner_text())

    row = page.locator("[data-testid=leaderboard] tr", has=page.locator("a[href='/projects/warm-packs-for-elders/']"))
    row.get_by_role("link", name=re.compile("捐|Donate")).click()
    page.locator("input[name=custom]").fill("88.50")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    page.locator("[data-testid=pay-succeed]").click()

    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))
    donation = Donation.objects.filter(amount=8850).latest("created_at")
    match = Match.objects.get(donation=donation)
    assert (match.status, match.amount) == ("matched", 8850)  # 1:1, under the ¥100 per-gift cap
    assert "88.50" in page.locator("[data-testid=donation-matched]").inner_text()

    page.goto(campaign_url)
    assert fen(page.locator("[data-testid=campaign-total]").inner_text()) == total_before + 8850 + 8850
    assert fen(page.locator("[data-testid=campaign-matched]").inner_text()) == matched_before + 8850
    assert "88.50" in page.locator("[data-testid=ticker]").inner_text()
