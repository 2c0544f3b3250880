"""What the ledger draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.ledger.selectors import budget_lines_with_spent, project_entries


def project_page(project) -> list[Section]:
    """The project page's budget with what each line has spent, and its latest entries."""
    return [
        Section("accounts", "ledger/_project_budget.html", {"budget_lines": budget_lines_with_spent(project)}),
        Section("accounts", "ledger/_project_entries.html", {"entries": project_entries(project)[:10]}),
    ]
