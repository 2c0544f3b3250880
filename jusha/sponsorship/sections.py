"""What sponsorship draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.sponsorship.models import FollowUpCase, Message, Payment, Programme


def receipt_page(donation):
    """A month's receipt leads the sponsor on to their sponsorship page."""
    payment = Payment.objects.filter(donation_id=donation.pk).select_related("sponsorship__beneficiary").first()
    if payment is None:
        return None
    return Section("invite", "sponsorship/_receipt.html", {"sponsorship_payment": payment})


def organisation_dashboard(memberships) -> dict:
    """In each of the user's organisations: its sponsorship programme (or setting one up)."""
    ids = [m.organisation_id for m in memberships]
    programmes = {p.organisation_id: p for p in Programme.objects.filter(organisation_id__in=ids)}
    cases = set(FollowUpCase.objects.filter(sponsorship__programme__organisation_id__in=ids, status="open")
                .values_list("sponsorship__programme__organisation_id", flat=True))
    waiting = set(Message.objects.filter(sponsorship__programme__organisation_id__in=ids, status="pending")
                  .values_list("sponsorship__programme__organisation_id", flat=True))
    return {
        m.organisation_id: Section("work", "sponsorship/_dashboard.html", {
            "sponsorship_programme": programmes.get(m.organisation_id), "sponsorship_org": m.organisation,
            "sponsorship_needs": m.organisation_id in cases or m.organisation_id in waiting,
        })
        for m in memberships
    }
