"""Loading what the payments app shows on someone's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.payments.models import ProviderOrder, Reconciliation, SandboxAgreement, SandboxCharge


def access_sandbox_charge(*, intent_id: str) -> SandboxCharge:
    """A charge at the sandbox provider, for its hosted pay page: whoever holds the intent
    id is the payer (as at a real provider's page)."""
    charge = SandboxCharge.objects.filter(intent_id=intent_id).first()
    if charge is None:
        raise NotFound(_("Not found."), code="not_found")
    return charge


def access_sandbox_agreement(*, agreement_id: str) -> SandboxAgreement:
    """An agreement at the sandbox, for its hosted page: whoever holds its id is the payer."""
    agreement = SandboxAgreement.objects.filter(agreement_id=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Not found."), code="not_found")
    return agreement


def access_provider_order(*, provider: str, out_trade_no: str):
    """An order at a real provider, for our pay page that sends the payer on: whoever holds
    the order number (the gift's id in hex) is the payer, as at the provider's own page."""
    order = ProviderOrder.objects.filter(provider=provider, out_trade_no=out_trade_no[:64]).first()
    if order is None:
        raise NotFound(_("Not found."), code="not_found")
    return order


def access_reconciliation(*, user, pk: int):
    """A reconciliation report: platform staff only (they see every organisation's gifts)."""
    if not getattr(user, "is_staff", False):
        raise Forbidden(_("Only the platform's finance staff can read reconciliation reports."), code="not_staff")
    found = Reconciliation.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found."), code="not_found")
    return found


def access_reconciliations(*, user):
    if not getattr(user, "is_staff", False):
        raise Forbidden(_("Only the platform's finance staff can read reconciliation reports."), code="not_staff")
    return Reconciliation.objects.prefetch_related("findings")
