"""Alipay end to end against a loopback gateway: the order, the signed redirect, the
notification signed as Alipay documents it, the refusals, query on expiry, refunds."""

import json
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jusha.giving.models import Donation, Refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.payments.models import PaymentEvent
from jusha.projects.selectors import project_sums
from tests.gifts import refund, snapshot
from tests.payments.conftest import books
from tests.payments.gateways import rsa2_verify, rsa_key

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def create(client, project, fen=5000, provider="alipay", **extra):
    return client.post(f"/api/v1/projects/{project.slug}/donations",
                       json.dumps({"amount": fen, "currency": "CNY", "provider": provider}),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **extra)


def notify(client, body):
    return client.post("/api/v1/payments/alipay/notify", body, content_type="application/x-www-form-urlencoded")


@pytest.fixture
def gift(client, project, providers):
    response = create(client, project)
    assert response.status_code == 201, response.content
    return Donation.objects.get(pk=response.json()["id"])


def test_the_order_number_is_the_gift_id_in_hex_and_the_pay_page_sends_the_payer_to_alipay_signed(client, project, providers):
    body = create(client, project).json()
    number = uuid.UUID(body["id"]).hex
    assert body["out_trade_no"] == number and body["provider"] == "alipay"
    assert body["payment_url"].endswith(f"/pay/alipay/{number}/")
    page = client.get(f"/pay/alipay/{number}/")
    assert page.status_code == 302 and page["Location"].startswith(providers.url + "/gateway.do?")
    query = dict(parse_qsl(urlsplit(page["Location"]).query))
    sign = query.pop("sign")  # a request is signed over everything else, sign_type included
    unsigned = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    assert rsa2_verify(providers.app_key, unsigned, sign)  # as Alipay checks it, with the app's public key
    biz = json.loads(query["biz_content"])
    assert query["method"] == "alipay.trade.page.pay" and biz["out_trade_no"] == number and biz["total_amount"] == "50.00"
    assert query["notify_url"] == "http://testserver/api/v1/payments/alipay/notify"


def test_a_phone_gets_wap_pay(client, project, providers):
    body = create(client, project, HTTP_USER_AGENT=PHONE).json()
    page = client.get(urlsplit(body["payment_url"]).path)
    assert dict(parse_qsl(urlsplit(page["Location"]).query))["method"] == "alipay.trade.wap.pay"


def test_a_genuine_notification_marks_the_gift_paid_once_and_journals_the_fee(client, gift, providers):
    number = gift.pk.hex
    providers.alipay_pay(number, 5000)
    body = providers.alipay_notification(number, "50.00", notify_id="n-1")
    answer = notify(client, body)
    assert answer.status_code == 200 and answer.content == b"success"
    gift.refresh_from_db()
    assert gift.status == "paid" and gift.receipt_number
    fee = JournalEntry.objects.get(kind="fee", reference=str(gift.pk))
    assert fee.amount == 30  # 0.6% of 50.00, to the fen
    sums = project_sums([gift.project_id])[gift.project_id]
    assert sums.raised == 5000 and sums.fees == 30 and sums.balance == 4970  # raised stays gross
    assert ledger_problems() == []
    before = snapshot()
    assert notify(client, body).content == b"success"  # the same notify_id: a replay
    later = providers.alipay_notification(number, "50.00", status="TRADE_FINISHED", notify_id="n-2")
    assert notify(client, later).content == b"success"  # a second event for the same trade: counted once
    assert books(snapshot()) == books(before) and JournalEntry.objects.filter(kind__in=["gift", "fee"]).count() == 2


REFUSALS = {
    "forged": lambda gw, n: gw.alipay_notification(n, "50.00", key=rsa_key()),
    "tampered": lambda gw, n: gw.alipay_notification(n, "50.00").replace(b"total_amount=50.00", b"total_amount=5.00"),
    "unsigned": lambda gw, n: gw.alipay_notification(n, "50.00").split(b"&sign=")[0],
    "another app": lambda gw, n: gw.alipay_notification(n, "50.00", app_id="2021000000009999"),
    "stale": lambda gw, n: gw.alipay_notification(n, "50.00", notify_time=datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=30)),
    "wrong amount": lambda gw, n: gw.alipay_notification(n, "5.00"),
    "unknown gift": lambda gw, n: gw.alipay_notification(uuid.uuid4().hex, "50.00"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_forged_stale_or_wrong_notification_is_refused_and_nothing_is_recorded(client, gift, providers, case):
    body = REFUSALS[case](providers, gift.pk.hex)
    before, events = snapshot(), PaymentEvent.objects.count()
    answer = notify(client, body)
    assert answer.status_code in (400, 404, 422) and answer.content != b"success"
    assert set(answer.json()) >= {"detail", "code"}
    assert snapshot() == before and PaymentEvent.objects.count() == events  # not taken for processed
    gift.refresh_from_db()
    assert gift.status == "pending"


def test_a_refused_notification_is_not_a_replay_when_it_comes_again_right(client, gift, providers):
    number = gift.pk.hex
    assert notify(client, providers.alipay_notification(number, "5.00", notify_id="same")).status_code == 422
    assert notify(client, providers.alipay_notification(number, "50.00", notify_id="same")).content == b"success"
    gift.refresh_from_db()
    assert gift.status == "paid"


def test_a_success_for_a_refunded_gift_changes_nothing(client, gift, providers, org_finance):
    number = gift.pk.hex
    providers.alipay_pay(number, 5000)
    notify(client, providers.alipay_notification(number, "50.00"))
    gift.refresh_from_db()
    refund(gift, 4970, actor=org_finance)
    before = snapshot()
    assert notify(client, providers.alipay_notification(number, "50.00")).content == b"success"
    assert books(snapshot()) == books(before)


def test_on_expiry_the_gateway_is_asked_and_a_lost_notification_is_recorded(gift, providers):
    from jusha.giving.services import donations_expire_stale

    providers.alipay_pay(gift.pk.hex, 5000)
    Donation.objects.filter(pk=gift.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    donations_expire_stale()
    gift.refresh_from_db()
    assert gift.status == "paid"
    assert ("GET", "alipay.trade.query") in [(m, dict(parse_qsl(urlsplit(p).query)).get("method")) for m, p in providers.requests]


def test_an_order_never_paid_expires(gift, providers):
    from jusha.giving.services import donations_expire_stale

    Donation.objects.filter(pk=gift.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert donations_expire_stale() == 1
    gift.refresh_from_db()
    assert gift.status == "expired"


def test_a_partial_refund_retried_after_a_timeout_refunds_once(client, gift, providers, org_finance):
    from jusha.giving.services import refunds_settle_pending

    number = gift.pk.hex
    providers.alipay_pay(number, 5000)
    notify(client, providers.alipay_notification(number, "50.00"))
    gift.refresh_from_db()
    providers.delay = 3  # the gateway refunds, but answers after our 2-second timeout
    first = refund(gift, 1000, actor=org_finance)
    assert first.status == "pending"
    assert providers.orders[number]["refunded"] == 1000
    providers.delay = 0
    Refund.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert refunds_settle_pending() == 1
    first.refresh_from_db()
    assert first.status == "succeeded"
    assert providers.orders[number]["refunded"] == 1000  # the same out_request_no: refunded once
    assert len(providers.refunds) == 1


def test_a_provider_not_configured_is_refused_with_provider_unavailable(client, project, settings):
    settings.JUSHA_ALIPAY_APP_ID = ""
    before = snapshot()
    answer = create(client, project, provider="alipay")
    assert answer.status_code == 422 and answer.json()["code"] == "provider_unavailable"
    assert create(client, project, provider="paypal").json()["code"] == "provider_unavailable"
    assert snapshot() == before
