"""Receiving provider notifications: verified, recorded once, handed to the payments
handler that the app taking payments (giving) registers in its AppConfig.ready(). This
app never imports the apps above it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jusha.core.errors import BadRequest, Invalid, NotFound
from jusha.core.sql import row_insert
from jusha.payments.models import PaymentEvent
from jusha.payments.providers import ProviderError, get_provider
from jusha.payments.signing import SignatureError

logger = logging.getLogger("jusha.payments")


class Payable(Protocol):
    """What a handler answers with: the merchant's record of the payment (a gift)."""

    pk: object
    status: str


@dataclass(frozen=True)
class PaymentRecord:
    """The merchant's record of one payment, as reconciliation reads it."""

    intent_id: str
    amount: int
    currency: str
    paid: bool
    paid_on: object  # date (Beijing) or None
    fee: int | None
    refunds: list  # [(refund id, amount, status, date)]
    fee_returns: dict = field(default_factory=dict)  # {refund id: fee the provider gave back with it}


@dataclass(frozen=True)
class PaymentHandler:
    """What to do when a provider says an intent succeeded or failed; both run in the
    transaction that records the provider's event, so a replay can never do it twice."""

    succeeded: Callable[..., Payable]  # (provider, intent_id, amount, currency, fee=None)
    failed: Callable[..., Payable]  # (provider, intent_id)
    # Reconciliation (optional): the merchant's records of a provider's payments, and the
    # fee a statement says the provider kept (payments.reconcile).
    records: Callable[..., list] | None = None  # (provider, day, intent_ids) -> [PaymentRecord]
    fee: Callable[..., int] | None = None  # (provider, intent_id, fee) -> the fee now journalled
    # (provider, intent_id, refund_id, fee) -> the fee given back with that refund, now journalled
    fee_return: Callable[..., int] | None = None


_handler: PaymentHandler | None = None


def payment_handler_register(handler: PaymentHandler) -> None:
    global _handler
    _handler = handler


def payment_handler() -> PaymentHandler:
    if _handler is None:
        raise RuntimeError("no payment handler is registered (the giving app registers one in its ready())")
    return _handler


def notification_receive(*, provider_name: str, body: bytes, signature: str | None, headers=None) -> tuple[int, dict]:
    """Handle one notification. Returns (HTTP status, body) for the provider.

    400 (and nothing changed) when the signature is missing, malformed, stale or wrong:
    the provider will retry. A replay of an event already handled is acknowledged with
    200 and changes nothing.
    """
    status, answer, _record = notification_handle(
        provider_name=provider_name, body=body, signature=signature, headers=headers
    )
    return status, answer


def notification_handle(*, provider_name: str, body: bytes, signature: str | None,
                        headers=None) -> tuple[int, dict, Payable | None]:
    """`notification_receive`, and the merchant's record the handler returned (None when
    the event was a replay or needed nothing): what the sandbox's in-process delivery
    answers with, without reading it again."""
    try:
        provider = get_provider(provider_name)
    except ProviderError as exc:
        raise NotFound(_("No such payment provider."), code="not_found") from exc
    try:
        if hasattr(provider, "parse_request"):  # a real provider: its own headers and body format
            event = provider.parse_request(body, headers or {})
        else:
            event = provider.parse_notification(body, signature)
    except SignatureError as exc:
        logger.warning("refused %s notification: %s", provider_name, exc)
        raise BadRequest(_("The notification signature is not valid."), code=exc.code) from exc

    return event_handle(provider_name=provider_name, event=event)


def event_record(*, provider_name: str, event) -> tuple[int, dict]:
    """Hand one verified event to the handler, recorded once by its provider event id in
    the same transaction: a refusal (wrong amount, unknown gift) rolls both back, so the
    event is not taken for processed and the provider's retry is checked again."""
    status, answer, _record = event_handle(provider_name=provider_name, event=event)
    return status, answer


def event_handle(*, provider_name: str, event) -> tuple[int, dict, Payable | None]:
    """`event_record`, and the record the handler returned (None for a replay or an
    ignored event)."""
    handler = payment_handler()
    if event.type == "payment.ignored":  # verified, nothing to do (a refund's echo, a payer still paying)
        return 200, {"received": True, "duplicate": False}, None
    try:
        with transaction.atomic():
            # One plain INSERT (core.sql.row_insert); the unique (provider, event_id) refuses a replay.
            row_insert(PaymentEvent(provider=provider_name, event_id=event.event_id, intent_id=event.intent_id,
                                    type=event.type, payload=event.payload))
            if event.type == "payment.succeeded":
                donation = handler.succeeded(
                    provider=provider_name, intent_id=event.intent_id, amount=event.amount, currency=event.currency,
                    **({"fee": event.fee} if event.fee is not None else {}),
                )
            elif event.type == "payment.failed":
                donation = handler.failed(provider=provider_name, intent_id=event.intent_id)
            else:
                raise Invalid(_("Unknown event type."), code="event_type_unknown")
    except IntegrityError:
        if PaymentEvent.objects.filter(provider=provider_name, event_id=event.event_id).exists():
            return 200, {"received": True, "duplicate": True}, None
        raise
    return 200, {"received": True, "duplicate": False, "donation": str(donation.pk), "status": donation.status}, donation
