"""Proofs about pools and matches, run by `manage.py ledger_check` (jusha.ledger.checks)."""

from collections import defaultdict

from django.db.models import F, Sum

from jusha.ledger.models import JournalEntry, Posting


def match_problems() -> list[str]:
    from jusha.giving.models import Refund
    from jusha.matching.models import Deposit, Match, Pool

    problems: list[str] = []

    # 1. Every deposit is in the journal once, for its amount.
    entries = dict(JournalEntry.objects.filter(kind="pool_deposit").values_list("reference", "amount"))
    for pk, amount in Deposit.objects.values_list("pk", "amount"):
        if entries.pop(str(pk), None) != amount:
            problems.append(f"pool deposit {pk} is missing from the journal or differs")
    problems += [f"pool deposit entry {ref} has no deposit" for ref in entries]

    # 2. Per pool, from the postings on its account: deposits, matches and returns agree with
    #    the pool's figures, and matches net of returns never exceed the deposits.
    flows: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Posting.objects.filter(account__key__startswith="pool:")
        .values_list("account__key", "entry__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for key, kind, total in rows:
        flows[int(key.split(":")[1])][kind] = total
    held_matches = Match.objects.filter(status="held").values_list("pool_id")
    held = dict(held_matches.annotate(t=Sum(F("amount") - F("returned"))).order_by())
    for pool in Pool.objects.all():
        f = flows[pool.pk]
        deposits, matched, returned = -f["pool_deposit"], f["match"], -f["match_return"]
        if deposits != pool.deposited:
            problems.append(f"pool {pool.pk} deposited {pool.deposited} != journal {deposits}")
        if matched - returned != pool.spent:
            problems.append(f"pool {pool.pk} spent {pool.spent} != journal {matched - returned}")
        if matched - returned > deposits:
            problems.append(f"pool {pool.pk} paid out {matched - returned}, more than its deposits {deposits}")
        if held.get(pool.pk, 0) != pool.held:
            problems.append(f"pool {pool.pk} held {pool.held} != its held matches {held.get(pool.pk, 0)}")

    # 3. Every journalled match has its match entry exactly once (the kind and reference are
    #    unique), for what it moved, to its project; its returns add up; no entry without a match.
    match_entries = {
        ref: (amount, project) for ref, amount, project in
        JournalEntry.objects.filter(kind="match").values_list("reference", "amount", "project_id")
    }
    return_entries = dict(JournalEntry.objects.filter(kind="match_return").values_list("reference", "amount"))
    returned_by_donation: dict[str, int] = defaultdict(int)
    for refund_id, donation_id in Refund.objects.filter(pk__in=list(return_entries)).values_list("pk", "donation_id"):
        returned_by_donation[str(donation_id)] += return_entries.pop(str(refund_id))
    problems += [f"match return entry {ref} has no refund" for ref in return_entries]
    for m in Match.objects.values("donation_id", "amount", "returned", "journalled", "project_id", "status"):
        ref = str(m["donation_id"])
        entry = match_entries.pop(ref, None)
        if m["journalled"] and entry != (m["journalled"], m["project_id"]):
            problems.append(f"match of donation {ref} is missing from the journal or differs")
        if not m["journalled"] and entry is not None:
            problems.append(f"match of donation {ref} is journalled but marked unpaid")
        if m["status"] in ("matched", "released") and not m["journalled"]:
            problems.append(f"match of donation {ref} is {m['status']} without its match entry")
        expected_returns = m["returned"] - (m["amount"] - m["journalled"]) if m["journalled"] else 0
        if (journal := returned_by_donation.get(ref, 0)) != expected_returns:
            problems.append(f"match of donation {ref} returned {expected_returns} != journal {journal}")
    problems += [f"match entry {ref} has no match" for ref in match_entries]
    return problems
