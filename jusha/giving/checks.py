"""Proofs that gifts and refunds are in the journal exactly once (registered in
`jusha.ledger.checks.ledger_checks`, run by `manage.py ledger_check`)."""

from collections import defaultdict

from django.db.models import Q

from jusha.giving.models import Donation, Refund
from jusha.ledger.models import JournalEntry


def gift_problems() -> list[str]:
    """Every recorded gift is in the journal exactly once, for its amount and project."""
    problems: list[str] = []
    gifts = {e["reference"]: e for e in JournalEntry.objects.filter(kind="gift").values("reference", "amount", "project_id")}
    recorded = Donation.objects.filter(paid_at__isnull=False).values("id", "amount", "project_id", "status")
    recorded_ids = set()
    for d in recorded:
        ref = str(d["id"])
        recorded_ids.add(ref)
        e = gifts.get(ref)
        if e is None:
            problems.append(f"paid donation {ref} has no gift entry")
        elif e["amount"] != d["amount"] or e["project_id"] != d["project_id"]:
            problems.append(f"gift entry for {ref} differs from the donation")
    for ref in set(gifts) - recorded_ids:
        problems.append(f"gift entry {ref} has no paid donation")
    unpaid = Donation.objects.filter(paid_at__isnull=True, status__in=("paid", "partially_refunded", "refunded")).count()
    if unpaid:
        problems.append(f"{unpaid} donations are marked paid without a payment time")
    return problems


def refund_problems() -> list[str]:
    """Every refund is in the journal once, and each donation's refunded total adds up."""
    problems: list[str] = []
    refund_entries = dict(JournalEntry.objects.filter(kind="refund").values_list("reference", "amount"))
    refunded_by_donation: dict[str, int] = defaultdict(int)
    for r in Refund.objects.filter(status="succeeded").values("id", "amount", "donation_id"):
        refunded_by_donation[str(r["donation_id"])] += r["amount"]
        if refund_entries.pop(str(r["id"]), None) != r["amount"]:
            problems.append(f"refund {r['id']} is missing from the journal or differs")
    for ref in refund_entries:
        problems.append(f"refund entry {ref} has no refund")
    for d in Donation.objects.filter(Q(refunded_amount__gt=0) | Q(refunds__isnull=False)).distinct().values("id", "refunded_amount"):
        if refunded_by_donation.get(str(d["id"]), 0) != d["refunded_amount"]:
            problems.append(f"donation {d['id']} refunded_amount differs from its refunds")
    return problems


def fee_return_problems() -> list[str]:
    """Every fee a provider gave back is for a refund it made, and no gift gets back more of
    its fee than was journalled for it."""
    from jusha.giving.selectors import donation_fees

    problems: list[str] = []
    returns = dict(JournalEntry.objects.filter(kind="fee_return").values_list("reference", "amount"))
    if not returns:
        return problems
    refunds = {str(pk): (str(gift), status) for pk, gift, status in
               Refund.objects.filter(pk__in=list(returns)).values_list("pk", "donation_id", "status")}
    by_gift: dict[str, int] = defaultdict(int)
    for reference, amount in returns.items():
        found = refunds.get(reference)
        if found is None or found[1] != "succeeded":
            problems.append(f"fee return entry {reference} has no refund the provider made")
            continue
        by_gift[found[0]] += amount
    kept = donation_fees(list(by_gift))
    for gift, returned in sorted(by_gift.items()):
        if returned > kept.get(gift, 0):
            problems.append(f"donation {gift} got back {returned} of its fee, more than the {kept.get(gift, 0)} journalled")
    return problems
