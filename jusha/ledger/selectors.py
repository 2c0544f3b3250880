"""Reads of the journal. Every figure here is derived from journal entries."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from jusha.ledger.models import Account, Expenditure, JournalEntry, Posting, ProjectTotal


@dataclass(frozen=True)
class ProjectSums:
    gifts: int = 0
    refunds: int = 0
    spent: int = 0
    committed: int = 0  # set aside for delivery batches
    released: int = 0  # taken back from them as each batch's purchase is recorded
    matched: int = 0  # matched from sponsors' pools, net of matches returned to them

    @property
    def raised(self) -> int:
        """Paid gifts minus refunds (matching is reported apart)."""
        return self.gifts - self.refunds

    @property
    def held_for_batches(self) -> int:
        """Committed to delivery batches whose purchase is not recorded yet."""
        return self.committed - self.released

    @property
    def available(self) -> int:
        """Raised (and matched), not spent and not held for a batch: what refunds, expenditures and new
        batches may still draw on."""
        return self.raised + self.matched - self.spent - self.held_for_batches


def project_sums(project_ids) -> dict[int, ProjectSums]:
    """One grouped query for any number of projects, over their sharded running totals
    (a few rows per project and kind, however many gifts it has; `ledger_check` proves
    them equal to the journal)."""
    project_ids = list(project_ids)
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ProjectTotal.objects.filter(project_id__in=project_ids)
        .values_list("project_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for project_id, kind, total in rows:
        totals[project_id][kind] = total or 0
    return {
        pid: ProjectSums(
            gifts=totals[pid].get("gift", 0), refunds=totals[pid].get("refund", 0), spent=totals[pid].get("expenditure", 0),
            committed=totals[pid].get("commitment", 0), released=totals[pid].get("release", 0),
            matched=totals[pid].get("match", 0) - totals[pid].get("match_return", 0),
        )
        for pid in project_ids
    }


def project_available(project) -> int:
    return project_sums([project.pk])[project.pk].available


def project_entries(project):
    """The project's public ledger, newest first."""
    return JournalEntry.objects.filter(project=project).order_by("-created_at", "-id")


def expenditures_by_id(ids) -> dict[str, Expenditure]:
    ids = [int(i) for i in ids if str(i).isdigit()]
    return {str(e.pk): e for e in Expenditure.objects.filter(pk__in=ids).select_related("budget_line")}


def with_expenditures(entries) -> list[JournalEntry]:
    """The entries as a list, each with `expenditure`: for an expenditure entry the
    Expenditure it journals (with its budget line), else None. One query for any number."""
    entries = list(entries)
    spent = expenditures_by_id([e.reference for e in entries if e.kind == "expenditure"])
    for e in entries:
        e.expenditure = spent.get(e.reference) if e.kind == "expenditure" else None
    return entries


def budget_lines_with_spent(project):
    """Budget lines annotated with `spent` (sum of their expenditures)."""
    return project.budget_lines.annotate(spent=Sum("expenditures__amount")).order_by("position", "id")


def account_balance(account: Account) -> int:
    return Posting.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0
