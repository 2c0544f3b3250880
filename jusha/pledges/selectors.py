"""Reads of pledges (retention figures live in stats.py)."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from jusha.giving.models import Donation
from jusha.pledges import targets
from jusha.pledges.models import Pledge, PledgeCharge

PAID = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED)


def pledge_label(pledge: Pledge) -> str:
    try:
        return targets.target_kind(pledge.target_kind).label(pledge.target_ref)
    except Exception:  # noqa: BLE001 - a kind no longer registered still shows something
        return pledge.target_ref


def pledges_for_page(pledges) -> list[Pledge]:
    """The pledges with `label`, `last_charge` and `charged_total` attached (three queries)."""
    pledges = list(pledges)
    ids = [p.pk for p in pledges]
    last = {}
    for charge in PledgeCharge.objects.filter(pledge_id__in=ids).order_by("pledge_id", "-scheduled_on"):
        last.setdefault(charge.pledge_id, charge)
    totals = dict(
        PledgeCharge.objects.filter(pledge_id__in=ids, status=PledgeCharge.Status.SUCCEEDED)
        .values_list("pledge_id").annotate(total=Sum("amount")).order_by()
    )
    for pledge in pledges:
        pledge.label = pledge_label(pledge)
        pledge.last_charge = last.get(pledge.pk)
        pledge.charged_total = totals.get(pledge.pk, 0)
    return pledges


def annual_gifts(*, user, year: int) -> list[Donation]:
    """Every paid gift of a member in a calendar year (local time), for the consolidated receipt."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    return list(
        Donation.objects.filter(donor=user, status__in=PAID, paid_at__date__gte=start, paid_at__date__lt=end)
        .select_related("project__organisation").order_by("paid_at")
    )


def gift_years(user) -> list[int]:
    """The years in which a member has paid gifts (newest first): their annual receipts."""
    return sorted({d.year for d in Donation.objects.filter(donor=user, status__in=PAID).dates("paid_at", "year")}, reverse=True)
