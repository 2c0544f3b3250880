"""The giving and payments service calls that the money-path tests make, in one place: when
a service's signature changes (amounts as Money, one gift-opening service), this file
changes and the tests that use it do not.

- `open_gift(project, fen, **fields)`: a pending gift (its access token on `.access_token`);
- `paid_gift(project, fen, **fields)`: a gift paid through the sandbox, as a payer would;
- `pay(donation, fen=None, currency=None)`: the payment-succeeded service, called directly;
- `fail(donation)`, `refund(donation, fen, actor=...)`, `claim(donation, user, token)`;
- `signed_event(donation, ...)` and `receive(body, signature)`: a provider's notification;
- `snapshot()`: everything the money path writes, to show that a refusal changed nothing.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.db import transaction

from tests.factories import give


def open_gift(project, fen=5000, *, currency=None, client=None, **fields):
    """As the API opens one: the amount and currency made Money at the edge (a refusal there
    is Invalid too), then the one gift-opening service."""
    from jusha.core.client import ClientContext
    from jusha.core.money import money_in
    from jusha.giving.services import donation_open

    donation, token = donation_open(
        project=project, amount=money_in(fen, currency or project.currency), client=client or ClientContext(), **fields
    )
    donation.access_token = token
    return donation


def paid_gift(project, fen=5000, **fields):
    return give(project, fen, **fields)


def pay(donation, fen=None, currency=None):
    """The provider says the payment succeeded (for `fen` in `currency`: the gift's by default)."""
    from jusha.giving.services import donation_payment_succeeded

    with transaction.atomic():  # as above: the notification's transaction
        return donation_payment_succeeded(
            provider=donation.provider, intent_id=donation.intent_id,
            amount=donation.amount if fen is None else fen, currency=currency or donation.currency,
        )


def fail(donation):
    from jusha.giving.services import donation_payment_failed

    with transaction.atomic():
        return donation_payment_failed(provider=donation.provider, intent_id=donation.intent_id)


def refund(donation, fen, *, actor, reason="The donor asked"):
    from jusha.giving.services import donation_refund

    from jusha.core.money import money_in

    donation.refresh_from_db()
    with transaction.atomic():
        return donation_refund(donation=donation, amount=money_in(fen, donation.currency), reason=reason, actor=actor)


def claim(donation, user, token=None):
    from jusha.giving.services import donation_claim

    with transaction.atomic():
        return donation_claim(donation=donation, access_token=token or donation.access_token, user=user)


def signed_event(donation, *, status="succeeded", secret=None, timestamp=None, event_id=None, fen=None):
    """A notification body and its signature header, as the sandbox provider sends them."""
    from jusha.payments import signing

    event = {
        "id": event_id or f"evt_{donation.intent_id}_{status}",
        "type": f"payment.{status}",
        "created": int(time.time()),
        "data": {"intent_id": donation.intent_id, "amount": donation.amount if fen is None else fen,
                 "currency": donation.currency, "reference": str(donation.pk)},
    }
    body = json.dumps(event).encode()
    return body, signing.sign(secret or settings.JUSHA_SANDBOX_SECRET, body, timestamp or int(time.time()))


def receive(body: bytes, signature: str | None, provider="sandbox"):
    from jusha.payments.services import notification_receive

    return notification_receive(provider_name=provider, body=body, signature=signature)


def snapshot():
    """Every row the money path writes, in a comparable form."""
    from jusha.giving.models import Donation, Refund, StatusChange
    from jusha.ledger.models import JournalEntry, Posting
    from jusha.payments.models import PaymentEvent, SandboxCharge
    from jusha.transparency.models import Fact

    return {
        "donations": sorted(
            (str(pk), status, refunded, receipt or "", str(donor or ""))
            for pk, status, refunded, receipt, donor in
            Donation.objects.values_list("pk", "status", "refunded_amount", "receipt_number", "donor_id")
        ),
        "status_changes": StatusChange.objects.count(),
        "refunds": Refund.objects.count(),
        "entries": JournalEntry.objects.count(),
        "postings": Posting.objects.count(),
        "events": PaymentEvent.objects.count(),
        "facts": Fact.objects.count(),
        "charges": sorted(SandboxCharge.objects.values_list("intent_id", "status", "refunded")),
    }
