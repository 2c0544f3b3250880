"""Stripe end to end against a loopback API: a Checkout Session in the project's currency,
the webhook signed as Stripe documents (`Stripe-Signature`), the fee from the balance
transaction, refusals, refunds retried after a timeout."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.giving.models import Donation, Refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.payments.models import PaymentEvent, ProviderOrder
from tests.gifts import refund, snapshot
from tests.payments.conftest import books

pytestmark = pytest.mark.django_db


def create(client, project, fen=5000, currency="CNY"):
    return client.post(f"/api/v1/projects/{project.slug}/donations",
                       json.dumps({"amount": fen, "currency": currency, "provider": "stripe"}),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def webhook(client, body, signature):
    return client.post("/api/v1/payments/stripe/notify", body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signature)


@pytest.fixture
def gift(client, project, providers):
    response = create(client, project)
    assert response.status_code == 201, response.content
    return Donation.objects.get(pk=response.json()["id"])


def test_a_checkout_session_in_cny_refers_to_the_gift(client, gift, providers):
    order = ProviderOrder.objects.get(provider="stripe", out_trade_no=gift.pk.hex)
    session = providers.orders[gift.intent_id]
    assert session["client_reference_id"] == gift.pk.hex and session["currency"] == "cny" and session["total"] == 5000
    page = client.get(f"/pay/stripe/{order.out_trade_no}/")
    assert page.status_code == 302 and page["Location"] == f"https://checkout.stripe.com/c/pay/{gift.intent_id}"


def test_another_currency_stays_refused(client, project, providers):
    before = snapshot()
    answer = create(client, project, currency="USD")
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_currency"
    assert snapshot() == before


def test_a_signed_webhook_marks_the_gift_paid_with_stripes_fee(client, gift, providers):
    providers.stripe_pay(gift.intent_id, fee=175)
    body = providers.stripe_event(gift.intent_id, event_id="evt_1")
    answer = webhook(client, body, providers.stripe_signature(body))
    assert answer.status_code == 200
    gift.refresh_from_db()
    assert gift.status == "paid"
    assert JournalEntry.objects.get(kind="fee", reference=str(gift.pk)).amount == 175
    assert ledger_problems() == []
    before = snapshot()
    assert webhook(client, body, providers.stripe_signature(body)).json()["duplicate"] is True
    assert books(snapshot()) == books(before)


REFUSALS = {
    "wrong secret": lambda gw, body: gw.stripe_signature(body, secret="whsec_not_ours"),
    "stale": lambda gw, body: gw.stripe_signature(body, stamp=int(timezone.now().timestamp()) - 400),
    "missing": lambda gw, body: "",
    "malformed": lambda gw, body: "v1=zz",
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_bad_signature_is_refused_and_nothing_is_recorded(client, gift, providers, case):
    providers.stripe_pay(gift.intent_id, fee=175)
    body = providers.stripe_event(gift.intent_id)
    before, events = snapshot(), PaymentEvent.objects.count()
    answer = webhook(client, body, REFUSALS[case](providers, body))
    assert answer.status_code == 400 and answer.json()["code"].startswith("signature")
    assert snapshot() == before and PaymentEvent.objects.count() == events


def test_a_wrong_amount_is_refused(client, gift, providers):
    providers.stripe_pay(gift.intent_id, fee=175)
    body = providers.stripe_event(gift.intent_id, amount=100)
    before = snapshot()
    answer = webhook(client, body, providers.stripe_signature(body))
    assert answer.status_code == 422 and answer.json()["code"] == "amount_mismatch" and snapshot() == before


def test_a_refund_retried_after_a_timeout_refunds_once(client, gift, providers, org_finance):
    from jusha.giving.services import refunds_settle_pending

    providers.stripe_pay(gift.intent_id, fee=175)
    body = providers.stripe_event(gift.intent_id)
    webhook(client, body, providers.stripe_signature(body))
    gift.refresh_from_db()
    providers.delay = 3
    first = refund(gift, 1000, actor=org_finance)
    assert first.status == "pending"
    providers.delay = 0
    Refund.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert refunds_settle_pending() == 1
    first.refresh_from_db()
    assert first.status == "succeeded" and providers.orders[gift.intent_id]["refunded"] == 1000
