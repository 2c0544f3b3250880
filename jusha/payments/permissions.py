"""Loading what the payments app shows on someone's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.payments.models import SandboxAgreement, SandboxCharge


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
