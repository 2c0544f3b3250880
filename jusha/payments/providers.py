"""The payment-provider interface. A provider creates intents with a hosted pay page,
answers queries about them, cancels and refunds them, and signs the notifications it
posts to `/api/v1/payments/<provider>/notify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, Invalid


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
    fee: int | None = None  # what the provider kept, in minor units, when it says (or its rate does)


@dataclass(frozen=True)
class Refunded:
    """A provider's answer to a refund: its refund id, and the part of the payment's fee it
    gave back with this refund (None when it does not say: the statement's refund line does)."""

    refund_id: str
    fee_returned: int | None = None


# Providers that give back (part of) their fee with a refund: Alipay returns the 服务费 and
# WeChat Pay the 手续费 in proportion to what is refunded (all of it on a full refund).
# Stripe keeps its fee; the sandbox charges none.
RETURNS_FEES = frozenset({"alipay", "wechatpay"})


def refund_answer(answer) -> Refunded:
    """A provider's refund answer in one shape (the sandbox answers with the id alone)."""
    return answer if isinstance(answer, Refunded) else Refunded(refund_id=str(answer))


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

    def refund(self, *, intent_id: str, amount: int, reason: str, reference: str) -> "str | Refunded":
        """Refund to the original payment method; returns the provider's refund id (or a
        Refunded with the fee it gave back, when it says). The
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


_real: dict[tuple, PaymentProvider] = {}


def _real_provider(name: str) -> PaymentProvider:
    """A configured real provider, made once per configuration (WeChat Pay downloads its
    platform certificates when first used)."""
    from jusha.payments import config

    if name not in config.REAL_PROVIDERS or not config.mentioned(name):
        raise ProviderError(_("The payment provider “%(name)s” is not enabled.") % {"name": name}, code="provider_unavailable")
    try:
        cfg = config.LOADERS[name]()
    except config.ConfigError as exc:
        raise ProviderError(
            _("The payment provider “%(name)s” is not set up right (%(variable)s).") % {"name": name, "variable": exc.variable},
            code="provider_unavailable",
        ) from exc
    key = (name, cfg)
    if key not in _real:
        if name == "alipay":
            from jusha.payments.alipay import AlipayProvider as cls
        elif name == "wechatpay":
            from jusha.payments.wechatpay import WeChatPayProvider as cls
        else:
            from jusha.payments.stripe_checkout import StripeProvider as cls
        _real.clear()  # one configuration at a time: the old one's keys are gone
        _real[key] = cls(cfg)
    return _real[key]


def get_provider(name: str) -> PaymentProvider:
    if name == "sandbox" and settings.JUSHA_SANDBOX_ENABLED:
        from jusha.payments.sandbox import SandboxProvider

        return SandboxProvider()
    if name != "sandbox":
        return _real_provider(name)
    raise ProviderError(_("The payment provider “%(name)s” is not enabled.") % {"name": name}, code="provider_unavailable")


def enabled_providers() -> list[str]:
    """The providers a donor may choose, in the order the donation form offers them: the
    real ones whose keys are configured, then the sandbox when it is on."""
    from jusha.payments import config

    names = [name for name in config.configured() if not _broken(name)]
    return names + (["sandbox"] if settings.JUSHA_SANDBOX_ENABLED else [])


def _broken(name: str) -> bool:
    try:
        _real_provider(name)
    except ProviderError:
        return True
    return False


def provider_choose(name: str | None) -> str:
    """The provider a gift is paid with: the one asked for (ProviderError
    `provider_unavailable` when it is not configured here), else the first enabled."""
    if not name:
        return default_provider_name()
    if name not in enabled_providers():
        raise Invalid(_("The payment provider “%(name)s” is not available on this site.") % {"name": name[:20]},
                      code="provider_unavailable", extra={"providers": enabled_providers()})
    return name


def default_provider_name() -> str:
    enabled = enabled_providers()
    if enabled:
        return enabled[0]
    raise ProviderError(_("No payment provider is enabled on this site."), code="provider_unavailable")
