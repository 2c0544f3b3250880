"""A donor gives with Alipay and with WeChat Pay, both configured with test keys against
a loopback gateway: the form offers them, Alipay's cashier is reached by a signed
redirect, WeChat Pay's QR code is drawn on our page; the provider's signed notification
marks the gift paid and the receipt shows the fee and what reached the project."""

import os
import re
from pathlib import Path

import httpx
import pytest

from jusha.giving.models import Donation
from tests.factories import make_project
from tests.payments.gateways import Gateway

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gateway(settings, tmp_path, live_server):
    from jusha.payments import providers

    gw = Gateway().start()
    for name, value in gw.write_keys(str(tmp_path)).items():
        setattr(settings, name, value)
    settings.JUSHA_STRIPE_SECRET_KEY = ""  # Alipay and WeChat Pay only
    settings.JUSHA_PUBLIC_URL = live_server.url
    # As config/settings.py allows a configured provider's cashier as the form's target.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", gw.url]}
    providers._real.clear()
    yield gw
    providers._real.clear()
    gw.stop()


def shot(page, name):
    """With SCREENSHOT_DIR set (as `make screenshots` sets it), keep a picture of the page:
    these pages need a provider configured, which the demo has not."""
    if folder := os.environ.get("SCREENSHOT_DIR"):
        (Path(folder) / "phone").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / "phone" / f"{name}.png"), full_page=True)


def give(page, live_server, project, provider):
    page.goto(f"{live_server.url}/donations/new/{project.slug}/")
    assert page.locator("[data-testid=pay-with]").is_visible()
    page.locator("input[name=custom]").fill("50")
    page.locator(f"input[name=provider][value={provider}] + label").click()
    shot(page, "donate-pay-with")
    page.locator("form button[type=submit]").last.click()


def test_alipay_redirect_then_the_notification_and_the_fee_on_the_receipt(page, live_server, gateway):
    project = make_project(goal=2_000_000, title="温暖包送老人")
    give(page, live_server, project, "alipay")
    page.wait_for_selector("[data-testid=alipay-cashier]")  # Alipay's cashier (on loopback), by our signed redirect
    assert page.url.startswith(gateway.url + "/gateway.do?") and "50.00" in page.content()
    gift = Donation.objects.get()
    gateway.alipay_pay(gift.pk.hex, 5000)
    answer = httpx.post(f"{live_server.url}/api/v1/payments/alipay/notify", content=gateway.alipay_notification(gift.pk.hex, "50.00"),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.text == "success"
    page.goto(gateway.orders[gift.pk.hex]["return_url"])  # Alipay sends the payer back
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))
    assert page.locator("[data-testid=donation-fee]").inner_text() == "¥0.30"
    assert page.locator("[data-testid=donation-reached]").inner_text() == "¥49.70"


def test_wechat_qr_code_then_the_notification_and_the_fee_on_the_receipt(page, live_server, gateway):
    project = make_project(goal=2_000_000, title="温暖包送老人")
    give(page, live_server, project, "wechatpay")
    page.wait_for_url(re.compile(r"/pay/wechatpay/[0-9a-f]{32}/$"))
    qr = page.locator("[data-testid=wechat-qr] svg")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150
    shot(page, "pay-wechat-qr")
    gift = Donation.objects.get()
    gateway.wechat_pay(gift.pk.hex)
    body, headers = gateway.wechat_notification(gift.pk.hex, 5000)
    answer = httpx.post(f"{live_server.url}/api/v1/payments/wechatpay/notify", content=body,
                        headers={**headers, "Content-Type": "application/json"})
    assert answer.status_code == 204
    page.locator("[data-testid=paid-return]").click()
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))
    assert Donation.objects.get().status == "paid"
    assert page.locator("[data-testid=donation-fee]").inner_text() == "¥0.30"
    shot(page, "receipt-with-fee")
