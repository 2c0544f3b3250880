"""What sponsorship draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.sponsorship.models import Payment


def receipt_page(donation):
    """A month's receipt leads the sponsor on to their sponsorship page."""
    payment = Payment.objects.filter(donation_id=donation.pk).select_related("sponsorship__beneficiary").first()
    if payment is None:
        return None
    return Section("invite", "sponsorship/_receipt.html", {"sponsorship_payment": payment})
