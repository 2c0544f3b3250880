"""Receiving provider notifications: verified, recorded once, handed to giving."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jusha.core.errors import BadRequest, Invalid
from jusha.payments.models import PaymentEvent
from jusha.payments.providers import get_provider
from jusha.payments.signing import SignatureError

logger = logging.getLogger("jusha.payments")


def notification_receive(*, provider_name: str, body: bytes, signature: str | None) -> tuple[int, dict]:
    """Handle one notification. Returns (HTTP status, body) for the provider.

    400 (and nothing changed) when the signature is missing, malformed, stale or wrong:
    the provider will retry. A replay of an event already handled is acknowledged with
    200 and changes nothing.
    """
    provider = get_provider(provider_name)
    try:
        event = provider.parse_notification(body, signature)
    except SignatureError as exc:
        logger.warning("refused %s notification: %s", provider_name, exc)
        raise BadRequest(_("The notification signature is not valid."), code=exc.code) from exc

    from jusha.giving import services as giving

    try:
        with transaction.atomic():
            PaymentEvent.objects.create(
                provider=provider_name,
                event_id=event.event_id,
                intent_id=event.intent_id,
                type=event.type,
                payload=event.payload,
            )
            if event.type == "payment.succeeded":
                donation = giving.donation_payment_succeeded(
                    provider=provider_name, intent_id=event.intent_id, amount=event.amount, currency=event.currency
                )
            elif event.type == "payment.failed":
                donation = giving.donation_payment_failed(provider=provider_name, intent_id=event.intent_id)
            else:
                raise Invalid(_("Unknown event type."), code="event_type_unknown")
    except IntegrityError:
        if PaymentEvent.objects.filter(provider=provider_name, event_id=event.event_id).exists():
            return 200, {"received": True, "duplicate": True}
        raise
    return 200, {"received": True, "duplicate": False, "donation": str(donation.pk), "status": donation.status}
