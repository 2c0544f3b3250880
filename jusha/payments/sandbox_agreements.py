"""The sandbox's saved payment agreements (签约代扣), as a real provider offers them: the
payer authorises once on the hosted page; later charges are server-to-server requests,
signed like the sandbox's notifications (`X-Jusha-Signature` over the body) and verified
by the sandbox's side before it charges. The sandbox can be told (on the agreement's hosted
page, or `agreement_outcome_set`) to fail the next charge, fail every charge, or make the
next one and lose its answer (a time-out), so that the platform's handling can be seen."""

from __future__ import annotations

import json
import secrets
import time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, Invalid, NotFound
from jusha.payments import signing
from jusha.payments.models import SandboxAgreement, SandboxAgreementCharge, SandboxCharge
from jusha.payments.providers import Agreement, AgreementCharge, ProviderError, ProviderTimeout


class SandboxAgreements:
    """Mixed into SandboxProvider: the merchant-facing calls and the payer's page actions."""

    agreements = True

    def agreement_create(self, *, reference: str, description: str, return_url: str) -> Agreement:
        agreement_id = "sba_" + secrets.token_hex(12)
        SandboxAgreement.objects.create(agreement_id=agreement_id, reference=reference, description=description[:200],
                                        return_url=return_url)
        return Agreement(agreement_id=agreement_id, signing_url=reverse("payments:sandbox_agreement", args=[agreement_id]))

    def agreement_status(self, agreement_id: str) -> str:
        status = SandboxAgreement.objects.filter(agreement_id=agreement_id).values_list("status", flat=True).first()
        if status is None:
            raise ProviderError(_("The payment provider does not know this agreement."), code="provider_unknown_agreement")
        return status

    def agreement_revoke(self, agreement_id: str) -> None:
        SandboxAgreement.objects.filter(agreement_id=agreement_id).exclude(status=SandboxAgreement.Status.DECLINED).update(
            status=SandboxAgreement.Status.REVOKED
        )

    def agreement_charge(self, *, agreement_id, amount, currency, reference, description) -> AgreementCharge:
        body = json.dumps({"agreement_id": agreement_id, "amount": amount, "currency": currency, "reference": reference,
                           "description": description[:200]}, separators=(",", ":")).encode()
        header = signing.sign(settings.JUSHA_SANDBOX_SECRET, body, int(time.time()))
        return sandbox_bank_charge(body, header)

    def agreement_charge_query(self, reference: str) -> AgreementCharge | None:
        done = SandboxAgreementCharge.objects.select_related("charge").filter(reference=reference).first()
        return _answer(done) if done else None

    # --- the payer's side: the hosted agreement page --------------------------------
    def agreement_sign(self, agreement_id: str, result: str) -> SandboxAgreement:
        if result not in ("active", "declined"):
            raise Invalid(_("The result must be “active” or “declined”."), code="invalid_result")
        with transaction.atomic():
            agreement = SandboxAgreement.objects.select_for_update().filter(agreement_id=agreement_id).first()
            if agreement is None:
                raise NotFound(_("This agreement does not exist."), code="not_found")
            if agreement.status == SandboxAgreement.Status.PENDING:
                agreement.status, agreement.signed_at = result, timezone.now()
                agreement.save(update_fields=["status", "signed_at"])
            elif agreement.status != result:
                raise Conflict(_("This agreement was already answered."), code="agreement_already_answered")
        return agreement

    def agreement_outcome_set(self, agreement_id: str, outcome: str) -> None:
        if outcome not in SandboxAgreement.Outcome.values:
            raise Invalid(_("Unknown outcome."), code="invalid_outcome")
        SandboxAgreement.objects.filter(agreement_id=agreement_id).update(next_outcome=outcome)


def _answer(done: SandboxAgreementCharge) -> AgreementCharge:
    status = {"succeeded": "succeeded", "failed": "failed"}.get(done.charge.status, "pending")
    return AgreementCharge(intent_id=done.charge.intent_id, status=status, reason=done.reason)


def sandbox_bank_charge(body: bytes, signature: str | None) -> AgreementCharge:
    """The sandbox's own side of a charge request: verify the merchant's signature, then
    charge once per reference (a repeat answers with the first charge), as the agreement's
    `next_outcome` says. A time-out makes the charge and then raises ProviderTimeout."""
    signing.verify(settings.JUSHA_SANDBOX_SECRET, body, signature, now=int(time.time()),
                   tolerance=settings.JUSHA_SIGNATURE_TOLERANCE)
    data = json.loads(body)
    timed_out = False
    with transaction.atomic():
        agreement = SandboxAgreement.objects.select_for_update().filter(agreement_id=data["agreement_id"]).first()
        if agreement is None:
            raise ProviderError(_("The payment provider does not know this agreement."), code="provider_unknown_agreement")
        done = SandboxAgreementCharge.objects.select_related("charge").filter(reference=data["reference"]).first()
        if done is not None:
            if done.agreement_id != agreement.pk or done.charge.amount != data["amount"]:
                raise ProviderError(_("This charge reference was used for another charge."), code="provider_reference_reused")
            return _answer(done)
        outcome = agreement.next_outcome
        if agreement.status != SandboxAgreement.Status.ACTIVE:
            status, reason = SandboxCharge.Status.FAILED, "agreement not active"
        elif outcome in (SandboxAgreement.Outcome.FAIL, SandboxAgreement.Outcome.FAIL_ALWAYS):
            status, reason = SandboxCharge.Status.FAILED, "insufficient funds (sandbox)"
        else:
            status, reason = SandboxCharge.Status.SUCCEEDED, ""
            timed_out = outcome == SandboxAgreement.Outcome.TIMEOUT
        if outcome in (SandboxAgreement.Outcome.FAIL, SandboxAgreement.Outcome.TIMEOUT):
            agreement.next_outcome = SandboxAgreement.Outcome.SUCCEED  # once
            agreement.save(update_fields=["next_outcome"])
        charge = SandboxCharge.objects.create(
            intent_id="sbx_" + secrets.token_hex(12), amount=data["amount"], currency=data["currency"],
            description=data.get("description", "")[:200], reference=data["reference"][:64], status=status,
            completed_at=timezone.now(),
        )
        done = SandboxAgreementCharge.objects.create(agreement=agreement, reference=data["reference"], charge=charge, reason=reason)
    if timed_out:
        raise ProviderTimeout(f"sandbox: charge {data['reference']} made, answer lost")
    return _answer(done)
