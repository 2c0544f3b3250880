"""WeChat Pay API v3 end to end against a loopback gateway: the platform certificate
downloaded and decrypted, a Native order's QR code drawn on our pay page, H5 on phones,
the notification signed and encrypted as WeChat Pay documents it, refusals, refunds."""

import json
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from jusha.giving.models import Donation, Refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.payments.models import PaymentEvent, ProviderOrder
from tests.gifts import refund, snapshot
from tests.payments.conftest import books
from tests.payments.gateways import rsa_key, self_signed

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"


def create(client, project, fen=5000, **extra):
    return client.post(f"/api/v1/projects/{project.slug}/donations",
                       json.dumps({"amount": fen, "currency": "CNY", "provider": "wechatpay"}),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **extra)


def notify(client, body, headers):
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return client.post("/api/v1/payments/wechatpay/notify", body, content_type="application/json", **extra)


@pytest.fixture
def gift(client, project, providers):
    response = create(client, project)
    assert response.status_code == 201, response.content
    return Donation.objects.get(pk=response.json()["id"])


def test_a_native_order_shows_its_qr_code_drawn_here(client, gift, providers):
    number = gift.pk.hex
    order = ProviderOrder.objects.get(provider="wechatpay", out_trade_no=number)
    assert order.pay_url.startswith("weixin://wxpay/bizpayurl?pr=") and order.channel == "desktop"
    assert ("GET", "/v3/certificates") in providers.requests  # the platform certificate, decrypted with the API v3 key
    page = client.get(f"/pay/wechatpay/{number}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="wechat-qr"' in html and "<svg" in html and "<path" in html


def test_a_phone_is_sent_to_wechat_pays_h5_page_and_back_to_the_receipt(client, project, providers):
    body = create(client, project, HTTP_USER_AGENT=PHONE).json()
    page = client.get(urlsplit(body["payment_url"]).path)
    assert page.status_code == 302 and page["Location"].startswith("https://wx.tenpay.com/")
    assert "redirect_url=http%3A%2F%2Ftestserver%2Fdonations%2F" in page["Location"]


def test_a_genuine_notification_marks_the_gift_paid_once_with_its_fee(client, gift, providers):
    number = gift.pk.hex
    providers.wechat_pay(number)
    body, headers = providers.wechat_notification(number, 5000, event_id="EV-1")
    answer = notify(client, body, headers)
    assert answer.status_code == 204
    gift.refresh_from_db()
    assert gift.status == "paid"
    assert JournalEntry.objects.get(kind="fee", reference=str(gift.pk)).amount == 30
    assert ledger_problems() == []
    before = snapshot()
    assert notify(client, body, headers).status_code == 204  # the same id: a replay
    again, again_headers = providers.wechat_notification(number, 5000, event_id="EV-2")
    assert notify(client, again, again_headers).status_code == 204
    assert books(snapshot()) == books(before)


def _other_certificate_serial():
    return format(self_signed(rsa_key(), name="not WeChat Pay").serial_number, "X")


REFUSALS = {
    "forged with the right serial": lambda gw, n: gw.wechat_notification(n, 5000, key=rsa_key()),
    "a certificate that does not chain": lambda gw, n: gw.wechat_notification(n, 5000, key=rsa_key(), serial=_other_certificate_serial()),
    "another merchant": lambda gw, n: gw.wechat_notification(n, 5000, mchid="1900009999"),
    "another app": lambda gw, n: gw.wechat_notification(n, 5000, appid="wx0000000000000000"),
    "stale": lambda gw, n: gw.wechat_notification(n, 5000, stamp=int(timezone.now().timestamp()) - 600),
    "wrong amount": lambda gw, n: gw.wechat_notification(n, 4999),
    "wrong currency": lambda gw, n: gw.wechat_notification(n, 5000, currency="USD"),
    "unknown gift": lambda gw, n: gw.wechat_notification(uuid.uuid4().hex, 5000),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_forged_stale_or_wrong_notification_is_refused_and_nothing_is_recorded(client, gift, providers, case):
    body, headers = REFUSALS[case](providers, gift.pk.hex)
    before, events = snapshot(), PaymentEvent.objects.count()
    answer = notify(client, body, headers)
    assert answer.status_code in (400, 404, 422)  # WeChat Pay retries anything but 2xx
    assert set(answer.json()) >= {"detail", "code"}
    assert snapshot() == before and PaymentEvent.objects.count() == events
    gift.refresh_from_db()
    assert gift.status == "pending"


def test_a_tampered_body_is_refused(client, gift, providers):
    body, headers = providers.wechat_notification(gift.pk.hex, 5000)
    before = snapshot()
    answer = notify(client, body.replace(b'"summary": "', b'"summary": "x'), headers)
    assert answer.status_code == 400 and snapshot() == before


def test_on_expiry_the_order_is_queried_then_closed(gift, providers):
    from jusha.giving.services import donations_expire_stale

    Donation.objects.filter(pk=gift.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert donations_expire_stale() == 1
    gift.refresh_from_db()
    assert gift.status == "expired" and providers.orders[gift.pk.hex]["trade_state"] == "CLOSED"


def test_a_refund_retried_after_a_timeout_refunds_once(client, gift, providers, org_finance):
    from jusha.giving.services import refunds_settle_pending

    number = gift.pk.hex
    providers.wechat_pay(number)
    notify(client, *providers.wechat_notification(number, 5000))
    gift.refresh_from_db()
    providers.delay = 3
    first = refund(gift, 2000, actor=org_finance)
    assert first.status == "pending" and providers.orders[number]["refunded"] == 2000
    providers.delay = 0
    Refund.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert refunds_settle_pending() == 1
    first.refresh_from_db()
    assert first.status == "succeeded" and providers.orders[number]["refunded"] == 2000


# --- platform certificates must chain to WeChat Pay's CA (JUSHA_WECHATPAY_CA_FILE) -------

def _rogue(gateway, *, same_name: bool):
    """A certificate an attacker made: self-signed, or issued by a CA of their own that
    bears WeChat Pay's CA's name. Served by /v3/certificates beside the genuine one (as if
    the download were tampered with, the API v3 key known)."""
    from tests.payments.gateways import issued

    key = rsa_key()
    if same_name:
        fake_ca_key = rsa_key()
        fake_ca = self_signed(fake_ca_key, name="Tenpay.com Root CA")
        cert = issued(key, name="Tenpay.com sign", ca_key=fake_ca_key, ca_cert=fake_ca)
    else:
        cert = self_signed(key, name="Tenpay.com sign")
    gateway.extra_certs.append(cert)
    return key, format(cert.serial_number, "X")


@pytest.mark.parametrize("same_name", [False, True], ids=["self-signed", "another CA with WeChat's CA's name"])
def test_a_notification_signed_with_a_certificate_that_does_not_chain_is_refused(client, gift, providers, same_name):
    key, serial = _rogue(providers, same_name=same_name)
    body, headers = providers.wechat_notification(gift.pk.hex, 5000, key=key, serial=serial)
    before, events = snapshot(), PaymentEvent.objects.count()
    answer = notify(client, body, headers)
    assert answer.status_code == 400 and answer.json()["code"] == "certificate_untrusted"
    assert snapshot() == before and PaymentEvent.objects.count() == events
    gift.refresh_from_db()
    assert gift.status == "pending"
    providers.wechat_pay(gift.pk.hex)  # the genuine notification still goes through
    assert notify(client, *providers.wechat_notification(gift.pk.hex, 5000)).status_code == 204


def test_a_pinned_certificate_folder_with_a_rogue_certificate_trusts_only_what_chains(client, project, providers, settings,
                                                                                       tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = rsa_key()
    rogue = self_signed(key, name="Tenpay.com Root CA")
    folder = tmp_path / "wechat-certs"
    folder.mkdir()
    (folder / "rogue.pem").write_bytes(rogue.public_bytes(serialization.Encoding.PEM))
    settings.JUSHA_WECHATPAY_PLATFORM_CERT_DIR = str(folder)
    response = create(client, project)
    assert response.status_code == 201, response.content  # the genuine certificate was fetched instead
    gift = Donation.objects.get(pk=response.json()["id"])
    answer = notify(client, *providers.wechat_notification(gift.pk.hex, 5000, key=key, serial=format(rogue.serial_number, "X")))
    assert answer.status_code == 400 and answer.json()["code"] == "certificate_untrusted"
    gift.refresh_from_db()
    assert gift.status == "pending"


def test_no_certificate_that_chains_leaves_wechat_pay_unavailable_and_nothing_recorded(client, project, providers, settings,
                                                                                        tmp_path):
    from cryptography.hazmat.primitives import serialization

    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(self_signed(rsa_key(), name="Tenpay.com Root CA").public_bytes(serialization.Encoding.PEM))
    settings.JUSHA_WECHATPAY_CA_FILE = str(other_ca)  # the genuine platform certificate does not chain to this
    before = snapshot()
    response = create(client, project)
    assert response.status_code in (409, 422) and response.json()["code"] == "provider_unavailable"
    assert snapshot() == before
