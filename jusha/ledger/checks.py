"""Proofs that every displayed figure equals the journal (`manage.py ledger_check`)."""

from collections import defaultdict

from django.db.models import Count, Q, Sum

from jusha.ledger.models import Expenditure, JournalEntry, Posting
from jusha.projects.models import ProjectTotal


def ledger_problems() -> list[str]:
    from jusha.giving.models import Donation, Refund

    problems: list[str] = []

    # 1. Every entry balances, per currency, and its total equals its debits.
    sums = Posting.objects.values("entry_id", "currency").annotate(
        net=Sum("amount"), debits=Sum("amount", filter=Q(amount__gt=0)), n=Count("id")
    )
    totals = dict(JournalEntry.objects.values_list("id", "amount"))
    seen_entries = set()
    for row in sums:
        seen_entries.add(row["entry_id"])
        if row["net"] != 0:
            problems.append(f"entry {row['entry_id']} does not balance in {row['currency']}: {row['net']}")
        if row["debits"] != totals.get(row["entry_id"]):
            problems.append(f"entry {row['entry_id']} total {totals.get(row['entry_id'])} != debits {row['debits']}")
        if row["n"] < 2:
            problems.append(f"entry {row['entry_id']} has fewer than two postings")
    for entry_id in set(totals) - seen_entries:
        problems.append(f"entry {entry_id} has no postings")

    # 2. Every recorded gift is in the journal exactly once, for its amount and project.
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

    # 3. Every refund is in the journal once, and each donation's refunded total adds up.
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

    # 4. Every expenditure is in the journal once, for its amount.
    spent_entries = dict(JournalEntry.objects.filter(kind="expenditure").values_list("reference", "amount"))
    for x in Expenditure.objects.values("id", "amount"):
        if spent_entries.pop(str(x["id"]), None) != x["amount"]:
            problems.append(f"expenditure {x['id']} is missing from the journal or differs")
    for ref in spent_entries:
        problems.append(f"expenditure entry {ref} has no expenditure")

    # 5. Each project's fund account balance equals gifts - refunds + matches - returned
    #    matches - expenditures - what is
    #    held for delivery batches (commitments - releases), which its committed account holds;
    #    neither is ever overdrawn.
    by_kind: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    journal_totals = {}
    for row in JournalEntry.objects.values("project_id", "kind").annotate(total=Sum("amount"), n=Count("id")).order_by():
        by_kind[row["project_id"]][row["kind"]] = row["total"]
        if row["project_id"] is not None:
            journal_totals[(row["project_id"], row["kind"])] = (row["total"], row["n"])

    # 5a. The sharded running totals every page and gift reads equal the journal.
    shard_totals = {
        (row["project_id"], row["kind"]): (row["total"], row["n"])
        for row in ProjectTotal.objects.values("project_id", "kind").annotate(total=Sum("amount"), n=Sum("entries")).order_by()
    }
    for key in sorted(set(journal_totals) | set(shard_totals)):
        if journal_totals.get(key, (0, 0)) != shard_totals.get(key, (0, 0)):
            problems.append(
                f"project {key[0]} {key[1]} running total {shard_totals.get(key, (0, 0))} != journal {journal_totals.get(key, (0, 0))}"
            )

    def balances(suffix):
        postings = Posting.objects.filter(account__key__endswith=suffix)
        return dict(postings.values_list("account__project_id").annotate(total=Sum("amount")))

    funds, committed = balances(":fund"), balances(":committed")
    for project_id, kinds in by_kind.items():
        held = kinds["commitment"] - kinds["release"]
        expected = -(kinds["gift"] - kinds["refund"] + kinds["match"] - kinds["match_return"] - kinds["expenditure"] - held)
        if funds.get(project_id, 0) != expected:
            problems.append(f"project {project_id} fund balance {funds.get(project_id, 0)} != journal {expected}")
        if committed.get(project_id, 0) != -held:
            problems.append(f"project {project_id} committed balance {committed.get(project_id, 0)} != journal {-held}")
        if expected > 0 or held < 0:
            problems.append(f"project {project_id} is overdrawn: available {-expected}, held for batches {held}")

    # 6. Each delivery batch's cost is committed once; its purchase releases exactly that.
    problems += _batch_problems()

    # 7. Matching pools: deposits, matches and returned matches (jusha.matching.checks).
    from jusha.matching.checks import match_problems

    problems += match_problems()
    return problems


def _batch_problems() -> list[str]:
    from jusha.fulfilment.models import Batch

    problems = []
    commitments = dict(JournalEntry.objects.filter(kind="commitment").values_list("reference", "amount"))
    releases = dict(JournalEntry.objects.filter(kind="release").values_list("reference", "amount"))
    for pk, cost, purchased, status in Batch.objects.values_list("pk", "cost", "expenditure_id", "status"):
        if commitments.pop(str(pk), None) != cost:
            problems.append(f"batch {pk} has no commitment entry for its cost {cost}")
        if (purchased or status == Batch.Status.CANCELLED) and releases.pop(str(pk), None) != cost:
            problems.append(f"purchased or cancelled batch {pk} has no release entry for its cost {cost}")
    problems += [f"commitment entry {ref} has no batch" for ref in commitments]
    problems += [f"release entry {ref} has no purchased or cancelled batch" for ref in releases]
    return problems
