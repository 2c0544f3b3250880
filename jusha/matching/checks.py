"""Proofs about pools and matches, run by `manage.py ledger_check` (jusha.ledger.checks)."""

from collections import defaultdict

from django.db.models import Sum

from jusha.ledger.models import JournalEntry, Posting
from jusha.giving.models import Refund


def match_problems() -> list[str]:
    from jusha.matching.chunks import chunk_holdings
    from jusha.matching.models import Deposit, Match, Pool, PoolChunk
    from jusha.matching.selectors import committed_sums

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
    committed = {
        row["pool_id"]: row
        for row in Match.objects.values("pool_id").annotate(**committed_sums(), returned=Sum("returned")).order_by()
    }
    chunk_sums = {
        row["pool_id"]: row for row in PoolChunk.objects.values("pool_id").annotate(**chunk_holdings()).order_by()
    }
    for pool in Pool.objects.all():
        f = flows[pool.pk]
        deposits, matched, returned = -f["pool_deposit"], f["match"], -f["match_return"]
        c = committed.get(pool.pk, {})
        spent, held = c.get("spent") or 0, c.get("held") or 0
        if deposits != pool.deposited:
            problems.append(f"pool {pool.pk} deposited {pool.deposited} != journal {deposits}")
        if matched - returned != spent:
            problems.append(f"pool {pool.pk} journalled matches {spent} != journal {matched - returned}")
        if matched - returned > deposits:
            problems.append(f"pool {pool.pk} paid out {matched - returned}, more than its deposits {deposits}")
        # Its chunks: what they hold or used, net of returns, is what the pool has allotted,
        # never more than deposited, and covers every match still committed.
        k = chunk_sums.get(pool.pk, {})
        allotted = (k.get("open") or 0) + (k.get("closed") or 0) - (c.get("returned") or 0)
        if allotted != pool.allotted:
            problems.append(f"pool {pool.pk} allotted {pool.allotted} != its chunks, net of returns, {allotted}")
        if pool.allotted > pool.deposited or spent + held > pool.allotted:
            problems.append(f"pool {pool.pk} committed {spent + held} of {pool.allotted} allotted, {pool.deposited} deposited")

    # 2b. Each chunk has used exactly what its matches took; every match came from a chunk.
    drawn = dict(Match.objects.values_list("chunk_id").annotate(t=Sum("amount")).order_by())
    if None in drawn:
        problems.append(f"matches worth {drawn.pop(None)} were drawn from no chunk")
    for pk, used in PoolChunk.objects.values_list("pk", "used"):
        if drawn.pop(pk, 0) != used:
            problems.append(f"chunk {pk} used {used} but its matches took another amount")

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
