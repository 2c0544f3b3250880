"""Background work of sponsorship (thin wrappers; the logic lives in services)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from jusha.core.errors import DomainError
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.giving.services import donation_refund

logger = logging.getLogger(__name__)


@task()
def tell_donor(sponsorship_id: str, what: str) -> None:
    """An e-mail to the sponsor, in plain words, pointing at their sponsorship page."""
    from jusha.sponsorship.models import Sponsorship
    from jusha.sponsorship.words import BODIES, SUBJECTS

    sponsorship = Sponsorship.objects.select_related("donor").filter(pk=sponsorship_id).first()
    if sponsorship is None or not sponsorship.donor.email or what not in SUBJECTS:
        return
    link = settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse("sponsorship:mine", args=[sponsorship.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"{settings.JUSHA_SITE_NAME}: {SUBJECTS[what]}"
        send_mail(subject=subject, message=f"{BODIES[what]}\n\n{link}\n", from_email=None,
                  recipient_list=[sponsorship.donor.email])


@task()
def tell_month_due(donation_id: str) -> None:
    from jusha.sponsorship.models import Payment

    payment = Payment.objects.filter(donation_id=donation_id).first()
    if payment is not None:
        tell_donor.func(str(payment.sponsorship_id), "month_due")


@task()
def refund_unplaced(donation_id: str) -> None:
    """A month's gift that arrived when the sponsorship could not take it goes back."""
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None or donation.status != Donation.Status.PAID:
        return
    try:
        donation_refund(donation=donation, amount=Money(donation.amount - donation.refunded_amount, donation.currency),
                        reason=_("This month arrived after the sponsorship was paused or ended."), actor=None, automatic=True)
    except DomainError:
        logger.exception("could not refund unplaced sponsorship gift %s", donation_id)
