"""Provider fees of gifts when they are refunded: what may be refunded of a gift whose fee
was journalled, and the fee a provider gives back with a refund (journalled as its own
entry, `fee_return`). The fee journalled when a gift is paid stays in `services`.

What is refundable: the gross the donor paid, less what was refunded already. The fee is
not the donor's to bear: it is given back by the provider (Alipay, WeChat Pay: in
proportion to what is refunded, all of it on a full refund) or it is a cost of the
project (Stripe keeps it), paid from what the project still holds. So the project's
uncommitted funds bound a refund as before (spent money cannot be handed back), plus
the part of this gift's fee its provider will still give back.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from jusha.core import events
from jusha.core.errors import Conflict, NotFound
from jusha.core.money import Money
from jusha.giving import rules
from jusha.giving.models import Donation, Refund
from jusha.giving.selectors import donation_fee_returns, donation_fees, refund_fee_returns
from jusha.ledger.services import fee_return_journal
from jusha.payments.providers import RETURNS_FEES
from jusha.projects.selectors import project_sums
from jusha.transparency.services import fact_queue

logger = logging.getLogger("jusha.giving")


def fee_outstanding(donation: Donation) -> int:
    """What of this gift's journalled fee its provider has not given back yet."""
    key = str(donation.pk)
    return max(0, donation_fees([donation.pk]).get(key, 0) - donation_fee_returns([donation.pk]).get(key, 0))


def fee_recoverable(donation: Donation) -> int:
    """What of this gift's fee its provider will still give back with refunds (0 for a
    provider that keeps its fee)."""
    return fee_outstanding(donation) if donation.provider in RETURNS_FEES else 0


def donation_refundable(donation: Donation) -> int:
    """What may still be refunded of a paid gift (minor units): see the module's note."""
    return rules.refundable(
        amount=donation.amount,
        refunded=donation.refunded_amount,
        project_available=project_sums([donation.project_id])[donation.project_id].available,
        fee_recoverable=fee_recoverable(donation),
    )


def refund_fee_return(*, refund: Refund, fee: int) -> int:
    """Journal what the provider gave back of its fee with `refund`, once per refund (in the
    caller's transaction), never more than the gift's fee still kept. Returns what is now
    journalled for this refund (0: nothing to journal)."""
    if fee <= 0:
        return 0
    already = refund_fee_returns([refund.pk]).get(str(refund.pk))
    if already is not None:
        return already
    donation = refund.donation
    outstanding = fee_outstanding(donation)
    if fee > outstanding:
        logger.warning("refund %s: provider gave back %s of its fee, only %s is journalled for gift %s",
                       refund.pk, fee, outstanding, donation.pk)
        fee = outstanding
    if fee <= 0:
        return 0
    fee_return_journal(refund=refund, fee=Money(fee, donation.currency))
    events.gift_fee_changed.announce(events.GiftFeeChanged(donation=donation, refund=refund))
    fact_queue(kind="fee_return", public={
        "refund": str(refund.pk), "donation": str(donation.pk), "receipt": donation.receipt_number,
        "project": donation.project.slug, "provider": donation.provider, "amount": fee, "currency": donation.currency,
    })
    return fee


@transaction.atomic
def refund_fee_return_record(*, provider: str, intent_id: str, refund_id: str, fee: int) -> int:
    """A provider's statement says what of its fee it gave back with a refund: journal it
    when nothing is journalled for that refund yet (reconciliation; a different figure is
    a difference for finance staff, not an entry). Returns what is journalled for it."""
    refund = (Refund.objects.select_related("donation__project")
              .filter(pk=refund_id, donation__provider=provider, donation__intent_id=intent_id).first())
    if refund is None:
        raise NotFound(_("No refund of this payment has that number."), code="unknown_refund")
    if refund.status != Refund.Status.SUCCEEDED:
        raise Conflict(_("Only a refund the provider made gives back a fee."), code="refund_not_settled")
    return refund_fee_return(refund=refund, fee=fee)
