"""Proofs about delivery batches (registered in `jusha.ledger.checks.ledger_checks`, run
by `manage.py ledger_check`)."""

from jusha.fulfilment.models import Batch
from jusha.ledger.models import JournalEntry


def batch_problems() -> list[str]:
    """Each delivery batch's cost is committed once; its purchase (or cancellation)
    releases exactly that."""
    problems = []
    # A batch's entries refer to it by its number-only id; other apps' earmarks (a
    # sponsorship's, "sponsorship:<id>") are theirs to prove.
    commitments = {ref: amount for ref, amount in JournalEntry.objects.filter(kind="commitment").values_list("reference", "amount")
                   if ref.isdigit()}
    releases = {ref: amount for ref, amount in JournalEntry.objects.filter(kind="release").values_list("reference", "amount")
                if ref.isdigit()}
    for pk, cost, purchased, status in Batch.objects.values_list("pk", "cost", "expenditure_id", "status"):
        if commitments.pop(str(pk), None) != cost:
            problems.append(f"batch {pk} has no commitment entry for its cost {cost}")
        if (purchased or status == Batch.Status.CANCELLED) and releases.pop(str(pk), None) != cost:
            problems.append(f"purchased or cancelled batch {pk} has no release entry for its cost {cost}")
    problems += [f"commitment entry {ref} has no batch" for ref in commitments]
    problems += [f"release entry {ref} has no purchased or cancelled batch" for ref in releases]
    return problems
