"""What the real providers share: an order placed at the provider and kept in
ProviderOrder, and our own pay page (`payments:pay`) that sends the payer on to the
provider's cashier (a signed redirect, a QR code, a hosted page)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.payments import rules
from jusha.payments.models import ProviderOrder
from jusha.payments.providers import Intent, ProviderError


def absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.JUSHA_PUBLIC_URL.rstrip("/") + url


class HostedOrders:
    name = ""
    currencies = ("CNY",)
    min_ttl = 0  # seconds: a provider that refuses shorter expiry (Stripe: 30 minutes)

    def place(self, *, out_trade_no: str, amount: int, description: str, return_url: str, channel: str,
              client_ip: str, expires_at: datetime) -> tuple[str, str]:
        """Place the order at the provider: (its intent id, the URL or QR content to pay at)."""
        raise NotImplementedError

    def create_intent(self, *, reference: str, amount: int, currency: str, description: str, return_url: str,
                      channel: str = "desktop", client_ip: str = "") -> Intent:
        if currency not in self.currencies:
            raise ProviderError(_("This payment method takes %(currencies)s only.") % {"currencies": ", ".join(self.currencies)},
                                code="invalid_currency")
        number = rules.out_trade_no(reference)
        expires_at = timezone.now() + timedelta(seconds=max(settings.JUSHA_PAYMENT_INTENT_TTL, self.min_ttl))
        channel = channel if channel in ProviderOrder.Channel.values else ProviderOrder.Channel.DESKTOP
        intent_id, pay_url = self.place(
            out_trade_no=number, amount=amount, description=description, return_url=absolute(return_url),
            channel=channel, client_ip=client_ip or "127.0.0.1", expires_at=expires_at,
        )
        ProviderOrder.objects.create(
            provider=self.name, out_trade_no=number, intent_id=intent_id, amount=amount, currency=currency,
            description=description[:200], channel=channel, pay_url=pay_url, return_url=absolute(return_url)[:500],
            expires_at=expires_at,
        )
        return Intent(intent_id=intent_id, payment_url=reverse("payments:pay", args=[self.name, number]))
