"""What a monthly charge of a sponsorship needs: the one function the monthly pledges
(`jusha/pledges`, issue 17) register as their target kind "sponsorship", and that this
app's own first-month charge and `sponsorships_charge_due` use until then.

Wiring, once both are merged (in `SponsorshipConfig.ready()`):

    from jusha.pledges import targets
    targets.register("sponsorship", pledging.charge_terms)

The pledge then calls `charge_terms(sponsorship_id)` each period and opens the gift with
`giving.services.donation_open(project=terms.project, amount=terms.amount,
donor=terms.donor, context=terms.context, ...)`; this app's `gift_paid` subscriber earmarks
it to the sponsorship and records the month. A refusal (Conflict with a stable code) means
"do not charge this period": the pledge skips it and tries again next period.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, NotFound
from jusha.core.money import Money
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Payment, Sponsorship


@dataclass(frozen=True)
class ChargeTerms:
    project: object  # the programme project the gift is paid to
    amount: Money  # one month
    context: dict  # {"sponsorship": "<id>"}: pass it to donation_open as is
    donor: object  # the sponsor (the pledge's owner must be the same member)
    month: int  # the month this charge pays (1-based)
    months: int  # of the term


def charge_terms(sponsorship_id) -> ChargeTerms:
    """What the next month's gift of the sponsorship is, or a clear refusal:
    404 `sponsorship_unknown`; 409 `sponsorship_not_active` (cancelled, completed or ended),
    `sponsorship_paused` (a follow-up case is open: payments wait for the donor's choice),
    `beneficiary_withdrawn`, `term_paid` (every month is paid), `month_pending` (this
    month's gift is already open and not yet paid)."""
    sponsorship = (
        Sponsorship.objects.select_related("programme__project", "beneficiary", "donor")
        .filter(pk=sponsorship_id).first()
    )
    if sponsorship is None:
        raise NotFound(_("There is no such sponsorship."), code="sponsorship_unknown")
    if sponsorship.beneficiary.status == Beneficiary.Status.WITHDRAWN:
        raise Conflict(_("The student has left the programme: nothing more is charged."), code="beneficiary_withdrawn")
    if sponsorship.status == Sponsorship.Status.PAUSED or FollowUpCase.objects.filter(
        sponsorship=sponsorship, status=FollowUpCase.Status.OPEN
    ).exists():
        raise Conflict(_("Payments are paused while the organisation follows up with the student."), code="sponsorship_paused")
    if sponsorship.status not in (Sponsorship.Status.PENDING, Sponsorship.Status.ACTIVE):
        raise Conflict(_("This sponsorship is no longer active."), code="sponsorship_not_active")
    if sponsorship.paid_through >= sponsorship.months:
        raise Conflict(_("Every month of this term is paid."), code="term_paid")
    if sponsorship.status == Sponsorship.Status.ACTIVE and Payment.objects.filter(
        sponsorship=sponsorship, status=Payment.Status.PENDING
    ).exists():
        raise Conflict(_("This month's gift is already waiting for payment."), code="month_pending")
    return ChargeTerms(
        project=sponsorship.programme.project, amount=sponsorship.monthly, context={"sponsorship": str(sponsorship.pk)},
        donor=sponsorship.donor, month=sponsorship.paid_through + 1, months=sponsorship.months,
    )
