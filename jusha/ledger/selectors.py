"""Reads of the journal. Every figure here is derived from journal entries."""

from django.db.models import Sum

from jusha.core.money import Money
from jusha.ledger.models import Account, Expenditure, JournalEntry, Posting
from jusha.projects.selectors import project_sums


def project_available(project) -> Money:
    """What the project holds that refunds, expenditures and new batches may still draw on
    (`ProjectSums.available`), in its currency."""
    return Money(project_sums([project.pk])[project.pk].available, project.currency)


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


def account_balance(account: Account) -> Money:
    return Money(Posting.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0, account.currency)
