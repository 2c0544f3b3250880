"""The payment-provider interface. A provider creates intents with a hosted pay page,
answers queries about them, cancels and refunds them, and signs the notifications it
posts to `/api/v1/payments/<provider>/notify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict


@dataclass(frozen=True)
class Intent:
    intent_id: str
    payment_url: str


@dataclass(frozen=True)
class Event:
    event_id: str
    type: str  # "payment.succeeded" | "payment.failed"
    intent_id: str
    amount: int
    currency: str
    payload: dict


class ProviderError(Conflict):
    code = "provider_error"


# --- saved payment agreements (签约代扣): authorised once, charged server to server ----------

@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    signing_url: str  # the provider's hosted page where the payer authorises it


@dataclass(frozen=True)
class AgreementCharge:
    intent_id: str  # the provider's id of this charge
    status: str  # "succeeded" | "failed" | "pending"
    reason: str = ""  # why it failed, in the provider's words


class ProviderTimeout(Exception):
    """The provider did not answer in time: the outcome is unknown. Ask about it (by the
    merchant's reference) before anything else; never charge again blindly."""


class PaymentProvider(Protocol):
    name: str

    def create_intent(self, *, reference: str, amount: int, currency: str, description: str, return_url: str) -> Intent: ...

    def query(self, intent_id: str) -> str:
        """"pending", "succeeded", "failed" or "cancelled"."""

    def cancel(self, intent_id: str) -> bool:
        """Cancel a still-pending intent; False if it has already succeeded or failed."""

    def refund(self, *, intent_id: str, amount: int, reason: str, reference: str) -> str:
        """Refund to the original payment method; returns the provider's refund id. The
        same `reference` (the merchant's refund id) never refunds twice: a retry answers
        with the first refund's id."""

    def parse_notification(self, body: bytes, signature: str | None) -> Event:
        """Verify the signature and decode the event (SignatureError if not genuine)."""

    # Saved payment agreements (optional: a provider without them has `agreements = False`).
    agreements: bool

    def agreement_create(self, *, reference: str, description: str, return_url: str) -> Agreement:
        """An agreement waiting for the payer to authorise it on the provider's page."""

    def agreement_status(self, agreement_id: str) -> str:
        """"pending", "active", "declined" or "revoked"."""

    def agreement_revoke(self, agreement_id: str) -> None:
        """Stop the agreement: no later charge goes through."""

    def agreement_charge(self, *, agreement_id: str, amount: int, currency: str, reference: str, description: str) -> AgreementCharge:
        """Charge an active agreement, server to server. The same `reference` never charges
        twice (a repeat answers with the first charge). ProviderTimeout: unknown outcome."""

    def agreement_charge_query(self, reference: str) -> AgreementCharge | None:
        """What became of the charge with this merchant reference (None: never received)."""


def get_provider(name: str) -> PaymentProvider:
    if name == "sandbox" and settings.JUSHA_SANDBOX_ENABLED:
        from jusha.payments.sandbox import SandboxProvider

        return SandboxProvider()
    raise ProviderError(_("The payment provider “%(name)s” is not enabled.") % {"name": name}, code="provider_unavailable")


def default_provider_name() -> str:
    if settings.JUSHA_SANDBOX_ENABLED:
        return "sandbox"
    raise ProviderError(_("No payment provider is enabled on this site."), code="provider_unavailable")
