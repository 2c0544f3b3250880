"""Stripe, for donors paying by card from abroad: a Checkout Session in the project's
currency (CNY), the webhook verified with `Stripe-Signature`, the session queried and
expired, refunds with the refund's id as Stripe's idempotency key. The fee Stripe kept is
read from the charge's balance transaction when the payment succeeds.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import stripe
from django.utils.translation import gettext as _

from jusha.payments import config as provider_config
from jusha.payments.orders import HostedOrders
from jusha.payments.providers import Event, ProviderError
from jusha.payments.signing import SignatureError

logger = logging.getLogger("jusha.payments.stripe")
NAME = "stripe"
TOLERANCE = 300
SUCCEEDED = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
FAILED = {"checkout.session.expired", "checkout.session.async_payment_failed"}


class StripeProvider(HostedOrders):
    name = NAME
    answer_ok = {"received": True}
    min_ttl = 31 * 60  # Stripe refuses a session that expires in less than 30 minutes

    def __init__(self, cfg: provider_config.StripeConfig | None = None):
        self.config = cfg or provider_config.stripe()
        self.client = stripe.StripeClient(
            self.config.secret_key, base_addresses={"api": self.config.api_base}, max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=self.config.timeout),
        )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.APIConnectionError:
            raise  # the outcome is unknown: the caller asks again later
        except stripe.StripeError as exc:
            raise ProviderError(
                _("Stripe refused the request: %(why)s") % {"why": getattr(exc, "user_message", None) or exc.code or ""},
                code="provider_refused",
            ) from exc

    # --- orders ---------------------------------------------------------------------
    def place(self, *, out_trade_no, amount, description, return_url, channel, client_ip, expires_at: datetime):
        session = self._call(self.client.v1.checkout.sessions.create, params={
            "mode": "payment",
            "client_reference_id": out_trade_no,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "cny", "unit_amount": amount, "product_data": {"name": description[:250] or "Jusha"}}}],
            "payment_intent_data": {"description": f"Jusha gift {out_trade_no}", "metadata": {"jusha_donation": out_trade_no}},
            "metadata": {"jusha_donation": out_trade_no},
            "success_url": return_url, "cancel_url": return_url,
            "expires_at": int(expires_at.timestamp()),
        }, options={"idempotency_key": f"checkout-{out_trade_no}"})
        return session.id, session.url or ""

    def query(self, intent_id: str) -> str:
        session = self._call(self.client.v1.checkout.sessions.retrieve, intent_id)
        if session.status == "complete":
            return "succeeded" if session.payment_status in ("paid", "no_payment_required") else "pending"
        if session.status == "expired":
            return "cancelled"
        return "pending"

    def cancel(self, intent_id: str) -> bool:
        try:
            self._call(self.client.v1.checkout.sessions.expire, intent_id)
        except ProviderError:
            return self.query(intent_id) == "cancelled"
        return True

    def refund(self, *, intent_id: str, amount: int, reason: str, reference: str) -> str:
        session = self._call(self.client.v1.checkout.sessions.retrieve, intent_id)
        if not session.payment_intent:
            raise ProviderError(_("Only a completed payment can be refunded."), code="provider_not_refundable")
        refund = self._call(self.client.v1.refunds.create, params={
            "payment_intent": session.payment_intent, "amount": amount, "metadata": {"jusha_refund": reference},
        }, options={"idempotency_key": f"refund-{reference}"})
        return refund.id

    def _fee(self, payment_intent_id: str | None) -> int | None:
        """What Stripe kept of the payment, from the charge's balance transaction (None when
        it cannot be read now: reconciliation records it from the statement)."""
        if not payment_intent_id:
            return None
        try:
            intent = self.client.v1.payment_intents.retrieve(
                payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]})
            return int(intent.latest_charge.balance_transaction.fee)
        except (stripe.StripeError, AttributeError, TypeError, ValueError):
            logger.warning("could not read the fee of %s now", payment_intent_id)
            return None

    # --- notifications --------------------------------------------------------------
    def parse_request(self, body: bytes, headers) -> Event:
        signature = headers.get("Stripe-Signature", "")
        if not signature:
            raise SignatureError("missing signature", "signature_missing")
        try:
            stripe.WebhookSignature.verify_header(body.decode("utf-8"), signature, self.config.webhook_secret, TOLERANCE)
        except UnicodeDecodeError as exc:
            raise SignatureError("malformed body", "signature_malformed") from exc
        except stripe.SignatureVerificationError as exc:
            text = str(exc).lower()
            code = ("signature_stale" if "tolerance" in text else
                    "signature_malformed" if "unable to extract" in text else "signature_mismatch")
            raise SignatureError(str(exc), code) from exc
        try:  # verified above: now only read (Stripe's own JSON)
            event = json.loads(body)
            session, kind, event_id = event["data"]["object"], str(event["type"]), str(event["id"])
            if not isinstance(session, dict):
                raise TypeError("data.object is not an object")
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureError("signed body is not a valid event", "event_malformed") from exc
        if kind not in SUCCEEDED | FAILED or session.get("object") != "checkout.session":
            return Event(event_id=event_id, type="payment.ignored", intent_id="", amount=0, currency="", payload={"type": kind})
        intent_id = str(session.get("id", ""))
        payload = {"type": kind, "session": intent_id, "client_reference_id": session.get("client_reference_id"),
                   "payment_status": session.get("payment_status"), "payment_intent": session.get("payment_intent")}
        try:
            amount, currency = int(session.get("amount_total") or 0), str(session.get("currency") or "").upper()
        except (TypeError, ValueError) as exc:
            raise SignatureError("signed body is not a valid event", "event_malformed") from exc
        if kind in SUCCEEDED:
            if session.get("payment_status") != "paid":
                return Event(event_id=event_id, type="payment.ignored", intent_id=intent_id, amount=amount,
                             currency=currency, payload=payload)  # a bank debit still under way
            return Event(event_id=event_id, type="payment.succeeded", intent_id=intent_id, amount=amount,
                         currency=currency, payload=payload, fee=self._fee(session.get("payment_intent")))
        return Event(event_id=event_id, type="payment.failed", intent_id=intent_id, amount=amount, currency=currency,
                     payload=payload)
