"""How a sponsorship's months are charged: through a monthly pledge whose target is the
sponsorship (kind "sponsorship", ref its id; registered in `SponsorshipConfig.ready()`).

`charge_terms(sponsorship_id)` is what the next month's gift is, or a clear refusal. The
pledge's charge run resolves the target to the programme project (`resolve`) and, for each
period, asks `context`: the gift's context (`{"sponsorship": id}`, which makes it one of
the sponsorship's months), or `SkipPeriod` when this month must not be charged (paused,
withdrawn, paid up, not due yet, already waiting): the pledge skips the period, with no
failure counted. The first month is charged on the pay page when the donor sponsors
(`services._month_open`, with the same terms); `pledge_open` sets up the pledge then.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

import logging
import uuid
from datetime import date

from django.utils import timezone

from jusha.core.errors import Conflict, DomainError, NotFound
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.pledges.follow import target_pledges
from jusha.pledges.services import pledge_create
from jusha.pledges.targets import SkipPeriod
from jusha.sponsorship import rules
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Payment, Sponsorship

logger = logging.getLogger(__name__)

KIND = "sponsorship"  # the pledge target kind


def today() -> date:
    """The day a pledge's charge is asked about (the clock the due check reads)."""
    return timezone.localdate()


@dataclass(frozen=True)
class ChargeTerms:
    project: object  # the programme project the gift is paid to
    amount: Money  # one month
    context: dict  # {"sponsorship": "<id>"}: pass it to donation_open as is
    donor: object  # the sponsor (the pledge's owner must be the same member)
    month: int  # the month this charge pays (1-based)
    months: int  # of the term


def charge_terms(sponsorship_id, *, on: date | None = None) -> ChargeTerms:
    """What the next month's gift of the sponsorship is, or a clear refusal:
    404 `sponsorship_unknown`; 409 `sponsorship_not_active` (cancelled, completed or ended),
    `sponsorship_paused` (a follow-up case is open: payments wait for the donor's choice),
    `beneficiary_withdrawn`, `term_paid` (every month is paid), `month_pending` (a month's
    gift is already open and not yet paid), `month_not_due` (the next month's calendar
    month has not come yet on `on`, today by default)."""
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
    if Payment.objects.filter(sponsorship=sponsorship, status=Payment.Status.PENDING,
                              donation__status=Donation.Status.PENDING).exists():
        raise Conflict(_("This month's gift is already waiting for payment."), code="month_pending")
    on = on or today()
    if rules.months_between(sponsorship.starts_on, on) < sponsorship.paid_through:
        raise Conflict(_("The next month is not due yet."), code="month_not_due")
    return ChargeTerms(
        project=sponsorship.programme.project, amount=sponsorship.monthly, context={"sponsorship": str(sponsorship.pk)},
        donor=sponsorship.donor, month=sponsorship.paid_through + 1, months=sponsorship.months,
    )


# --- the pledge target "sponsorship" ------------------------------------------------------------

def target_resolve(ref: str):
    """The project a pledge to this sponsorship pays: its programme's, while the sponsorship
    holds its place (404 otherwise: a pledge is never set up or resumed for one that ended)."""
    sponsorship = Sponsorship.objects.select_related("programme__project").filter(pk=_uuid(ref)).first()
    if sponsorship is None or sponsorship.status not in Sponsorship.HOLDING:
        raise NotFound(_("There is no such sponsorship."), code="sponsorship_unknown")
    return sponsorship.programme.project


def target_label(ref: str) -> str:
    sponsorship = Sponsorship.objects.select_related("beneficiary").filter(pk=_uuid(ref)).first()
    if sponsorship is None:
        return _("A sponsorship")
    return _("Sponsoring %(alias)s (%(months)d months)") % {"alias": sponsorship.beneficiary.alias, "months": sponsorship.months}


def target_context(ref: str) -> dict:
    """The gift's context for this period, or SkipPeriod with charge_terms' refusal."""
    try:
        return charge_terms(_uuid(ref)).context
    except DomainError as exc:
        raise SkipPeriod(str(exc.detail), code=exc.code) from exc


def _uuid(ref):
    try:
        return uuid.UUID(str(ref))
    except ValueError:
        return None


def pledge_open(sponsorship: Sponsorship, *, return_url: str = ""):
    """The monthly pledge that pays this sponsorship's later months (the donor's consent is
    the sponsorship itself; they authorise the payments once at the provider). Its day is
    the day the term started (at most the 28th). None, logged, when it cannot be set up
    (a provider without saved agreements or not reached, an amount outside the pledge
    limits): the months are then opened on the donor's page by `sponsorships_charge_due`."""
    try:
        return pledge_create(donor=sponsorship.donor, amount=sponsorship.monthly, day=min(sponsorship.starts_on.day, 28),
                             kind=KIND, ref=str(sponsorship.pk), return_url=lambda p: return_url)
    except DomainError as exc:
        logger.warning("sponsorship %s: no monthly pledge (%s); months are opened on the donor's page", sponsorship.pk, exc.code)
        return None
    except Exception:  # noqa: BLE001 - the provider could not be reached: the sponsorship goes on without a pledge
        logger.exception("sponsorship %s: no monthly pledge; months are opened on the donor's page", sponsorship.pk)
        return None


def pledge_of(sponsorship: Sponsorship):
    """The sponsorship's pledge that is not cancelled, if any."""
    return target_pledges(KIND, sponsorship.pk).first()
