"""The built-in sandbox provider: a real provider's flow, without real money.

It keeps its own book (SandboxCharge), shows a hosted pay page where the payer chooses
"succeed" or "fail", and then posts a notification signed exactly as a real provider
would. With JUSHA_SANDBOX_NOTIFY_URL set it delivers over HTTP; otherwise it hands the
same signed bytes to the platform's notification handler in-process, so that a
single-process server never waits on itself.
"""

from __future__ import annotations

import json
import secrets
import time

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, Invalid, NotFound
from jusha.core.sql import row_insert
from jusha.payments import signing, sql
from jusha.payments.models import SandboxCharge, SandboxRefund
from jusha.payments.providers import Event, Intent, ProviderError
from jusha.payments.sandbox_agreements import SandboxAgreements

NAME = "sandbox"
RESULTS = {"succeeded": SandboxCharge.Status.SUCCEEDED, "failed": SandboxCharge.Status.FAILED}


class SandboxProvider(SandboxAgreements):
    name = NAME

    # --- the merchant-facing API --------------------------------------------------
    def create_intent(self, *, reference, amount, currency, description, return_url) -> Intent:
        intent_id = "sbx_" + secrets.token_hex(12)
        row_insert(SandboxCharge(  # SandboxCharge.objects.create(…), one plain INSERT (core.sql)
            intent_id=intent_id,
            amount=amount,
            currency=currency,
            description=description[:200],
            reference=reference,
            return_url=return_url,
        ))
        return Intent(intent_id=intent_id, payment_url=reverse("payments:sandbox_pay", args=[intent_id]))

    def query(self, intent_id: str) -> str:
        charge = SandboxCharge.objects.filter(intent_id=intent_id).first()
        if charge is None:
            raise ProviderError(_("The payment provider does not know this payment."), code="provider_unknown_intent")
        return {"requires_payment": "pending"}.get(charge.status, charge.status)

    def cancel(self, intent_id: str) -> bool:
        return bool(
            SandboxCharge.objects.filter(intent_id=intent_id, status=SandboxCharge.Status.REQUIRES_PAYMENT).update(
                status=SandboxCharge.Status.CANCELLED, completed_at=timezone.now()
            )
        )

    @transaction.atomic
    def refund(self, *, intent_id: str, amount: int, reason: str, reference: str) -> str:
        charge = SandboxCharge.objects.select_for_update().filter(intent_id=intent_id).first()
        if charge is None or charge.status != SandboxCharge.Status.SUCCEEDED:
            raise ProviderError(_("Only a completed payment can be refunded."), code="provider_not_refundable")
        done = SandboxRefund.objects.filter(reference=reference).first()
        if done is not None:
            if done.charge_id != charge.pk or done.amount != amount:
                raise ProviderError(_("This refund reference was used for another refund."), code="provider_reference_reused")
            return done.refund_id
        if amount <= 0 or charge.refunded + amount > charge.amount:
            raise ProviderError(_("The refund is larger than what is left of the payment."), code="provider_over_refund")
        charge.refunded += amount
        charge.save(update_fields=["refunded"])
        return SandboxRefund.objects.create(
            charge=charge, reference=reference, amount=amount, refund_id="sbr_" + secrets.token_hex(10)
        ).refund_id

    def parse_notification(self, body: bytes, signature: str | None) -> Event:
        signing.verify(
            settings.JUSHA_SANDBOX_SECRET,
            body,
            signature,
            now=int(time.time()),
            tolerance=settings.JUSHA_SIGNATURE_TOLERANCE,
        )
        try:
            data = json.loads(body)
            payload = data["data"]
            return Event(
                event_id=str(data["id"]),
                type=str(data["type"]),
                intent_id=str(payload["intent_id"]),
                amount=int(payload["amount"]),
                currency=str(payload["currency"]),
                payload=data,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise signing.SignatureError("signed body is not a valid event", "event_malformed") from exc

    # --- the payer-facing side: the hosted pay page's buttons ---------------------
    def complete(self, intent_id: str, result: str) -> tuple[int, dict]:
        """The payer pressed succeed or fail: settle the charge, then notify the merchant.

        Returns the platform's answer to the notification (status, body). Pressing the same
        button again re-sends the same notification (as a provider's retry would).
        """
        status, answer, _record = self.complete_recorded(intent_id, result)
        return status, answer

    def complete_recorded(self, intent_id: str, result: str) -> tuple[int, dict, object]:
        """`complete`, and the merchant's record of the payment as its notification's
        handler left it (a gift, read and written under its lock), or None when the
        notification went over HTTP or recorded nothing new (a replay)."""
        if result not in RESULTS:
            raise Invalid(_("The result must be “succeeded” or “failed”."), code="invalid_result")
        target = RESULTS[result]
        # The usual case in one statement: the charge still waiting for payment takes its result.
        taken = sql.charge_complete(
            intent_id=intent_id, source=SandboxCharge.Status.REQUIRES_PAYMENT, target=target, now=timezone.now()
        )
        if taken is not None:
            return self.notify_recorded(SandboxCharge(**taken))
        charge = SandboxCharge.objects.filter(intent_id=intent_id).first()
        if charge is None:
            raise NotFound(_("This payment does not exist."), code="not_found")
        if charge.status != target:  # completed already, the other way (or cancelled)
            raise Conflict(
                _("This payment was already completed as “%(status)s”.") % {"status": charge.status},
                code="payment_already_completed",
            )
        return self.notify_recorded(charge)

    def notify(self, charge: SandboxCharge) -> tuple[int, dict]:
        status, answer, _record = self.notify_recorded(charge)
        return status, answer

    def notify_recorded(self, charge: SandboxCharge) -> tuple[int, dict, object]:
        """Send the charge's signed notification; (status, body, the merchant's record or None)."""
        event = {
            "id": f"evt_{charge.intent_id}_{charge.status}",
            "type": f"payment.{charge.status}",
            "created": int(time.time()),
            "data": {
                "intent_id": charge.intent_id,
                "amount": charge.amount,
                "currency": charge.currency,
                "reference": charge.reference,
            },
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        header = signing.sign(settings.JUSHA_SANDBOX_SECRET, body, int(time.time()))
        url = settings.JUSHA_SANDBOX_NOTIFY_URL
        if url:
            response = httpx.post(
                url, content=body, headers={signing.HEADER: header, "Content-Type": "application/json"}, timeout=10
            )
            try:
                return response.status_code, response.json(), None
            except ValueError:
                return response.status_code, {"detail": response.text[:200]}, None
        from jusha.payments.services import notification_handle

        return notification_handle(provider_name=NAME, body=body, signature=header)
