from django.utils import timezone
"""Reads of donations used by more than one caller."""

from django.db.models import Count

from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from jusha.giving.states import DONATION

# Gifts that count as given: paid, and not wholly refunded.
COUNTED = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED)


def donor_counts(project_ids) -> dict[int, int]:
    """Number of counted gifts per project, in one query."""
    rows = (
        Donation.objects.filter(project_id__in=list(project_ids), status__in=COUNTED)
        .values_list("project_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict(rows)
    return {pid: counts.get(pid, 0) for pid in project_ids}


def donor_wall(project, limit: int = 20):
    """Latest counted gifts for the donors' wall (templates use Donation.public_name,
    which respects the anonymous choice)."""
    return (
        Donation.objects.filter(project=project, status__in=COUNTED)
        .select_related("donor")
        .order_by("-paid_at")[:limit]
    )


def project_donations_for_finance(project):
    """Every gift to a project that reached the provider (not those still awaiting payment),
    newest first: the finance members' list."""
    return Donation.objects.filter(project=project).exclude(status=Donation.Status.PENDING).select_related("donor").order_by("-created_at")


def with_refund_flags(donations, roles) -> list:
    """Each gift with `can_refund`: the donation table lets these roles take it to a refunded
    state from where it stands (the page shows the refund link only then)."""
    refunded = {Donation.Status.REFUNDED, Donation.Status.PARTIALLY_REFUNDED}
    donations = list(donations)
    for donation in donations:
        donation.can_refund = any(refunded & set(DONATION.targets(donation.status, role)) for role in roles)
    return donations


def project_card_figures(project_ids) -> dict:
    """What a project's card shows from the gifts: its number of donors (counted gifts)."""
    return {"donors": donor_counts(project_ids)}


def gifts_opened_today(*, user=None, session_count: int = 0) -> int:
    """How many gifts this donor has opened today (local day): a member's by their account,
    a guest's as their browser's session counted them (the pause screen's "fifth gift")."""
    if getattr(user, "is_authenticated", False):
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return Donation.objects.filter(donor=user, created_at__gte=start).count()
    return session_count


def donation_fees(donation_ids) -> dict[str, int]:
    """{gift id: what its provider kept, minor units} for the gifts with a fee journalled
    (its entry at payment, and what a statement added: `services.donation_fee_record`)."""
    ids = [str(pk) for pk in donation_ids]
    references = ids + [f"{gift}:statement" for gift in ids]
    fees: dict[str, int] = {}
    rows = JournalEntry.objects.filter(kind=JournalEntry.Kind.FEE, reference__in=references).values_list("reference", "amount")
    for reference, amount in rows:
        gift = reference.split(":", 1)[0]
        fees[gift] = fees.get(gift, 0) + amount
    return fees


def refund_fee_returns(refund_ids) -> dict[str, int]:
    """{refund id: what its provider gave back of the gift's fee with it} (journalled)."""
    ids = [str(pk) for pk in refund_ids]
    return dict(JournalEntry.objects.filter(kind=JournalEntry.Kind.FEE_RETURN, reference__in=ids)
                .values_list("reference", "amount"))


def donation_fee_returns(donation_ids) -> dict[str, int]:
    """{gift id: what its provider gave back of its fee with refunds} for gifts with any."""
    from jusha.giving.models import Refund

    by_refund = {str(pk): str(gift) for pk, gift in
                 Refund.objects.filter(donation_id__in=list(donation_ids)).values_list("pk", "donation_id")}
    returned: dict[str, int] = {}
    for refund_id, amount in refund_fee_returns(by_refund).items():
        gift = by_refund[refund_id]
        returned[gift] = returned.get(gift, 0) + amount
    return returned
