"""Background work of giving (thin wrappers; the logic lives in services)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from jusha.core.money import Money
from jusha.projects.models import Project

logger = logging.getLogger("jusha.giving")


@task()
def send_receipt(donation_id: str) -> None:
    from jusha.giving.models import Donation

    donation = Donation.objects.select_related("project").get(pk=donation_id)
    if not donation.email:
        return
    from jusha.giving.receipt_links import EMAIL, receipt_link

    receipt_url = settings.JUSHA_PUBLIC_URL.rstrip("/") + receipt_link(donation, via=EMAIL)
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("giving/email_receipt.txt", {"donation": donation, "receipt_url": receipt_url})
        send_mail(
            # One line: a header never carries a newline typed into a title.
            subject=" ".join(f"{settings.JUSHA_SITE_NAME}: {donation.project.title} · {donation.receipt_number}".split()),
            message=body,
            from_email=None,
            recipient_list=[donation.email],
        )


@task()
def settle_gifts() -> int:
    """Kicked after a notification commits (giving.settle.settle_kick): settle what is due."""
    from jusha.giving.settle import gifts_settle_due

    return gifts_settle_due()


@task()
def refund_overflow(donation_id: str) -> None:
    """A gift that arrived after its project was full (or its intent expired), for a
    project whose rule is to refund such gifts."""
    from jusha.giving.fees import donation_refundable
    from jusha.giving.models import Donation
    from jusha.giving.services import donation_refund

    donation = Donation.objects.select_related("project").get(pk=donation_id)
    if donation.status != Donation.Status.PAID:
        return
    # The gross the donor paid (the fee comes back from the provider or is the project's
    # cost); less only where the project no longer holds it (fees.donation_refundable).
    amount = min(donation.amount - donation.refunded_amount, donation_refundable(donation))
    if amount <= 0:
        logger.error("overflow gift %s cannot be refunded: its project holds nothing to refund it from", donation.pk)
        return
    donation_refund(
        donation=donation,
        amount=Money(amount, donation.currency),
        reason="Arrived after the project was full or the payment window closed",
        actor=None,
        automatic=True,
    )


@task()
def refund_all_gifts(project_id: int, reason: str) -> int:
    """A cancelled project hands back every gift it still holds."""
    from jusha.giving.services import donations_refund_all

    return donations_refund_all(project=Project.objects.get(pk=project_id), reason=reason)


def refund_all_gifts_of_cancelled(event) -> None:
    """Subscriber of `core.events.project_cancelled` (after commit): a project cancelled
    after raising money queues the refund of every gift."""
    if event.raised > 0:
        refund_all_gifts.enqueue(event.project.pk, event.reason or "The project was cancelled.")
