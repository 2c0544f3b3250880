"""What the ledger draws on other apps' pages and adds to their answers (registered in
apps.py): read here, shaped by the templates and schemas."""

from jusha.core.sections import Section
from jusha.ledger.permissions import can_record_spending
from jusha.ledger.schemas import budget_lines_out
from jusha.ledger.selectors import budget_lines_with_spent, project_entries
from jusha.projects.selectors import project_sums


def project_page(project) -> list[Section]:
    """The project page's budget with what each line has spent, and its latest entries; for
    those who may record spending now, the way to do it."""
    sections = [
        Section("accounts", "ledger/_project_budget.html", {"budget_lines": budget_lines_with_spent(project)}),
        Section("accounts", "ledger/_project_entries.html", {
            "entries": project_entries(project)[:10], "sums": project_sums([project.pk])[project.pk]}),
    ]
    if can_record_spending(project):
        sections.append(Section("tools", "ledger/_project_tools.html"))
    return sections


def project_detail_fields(project) -> dict:
    """The project API's budget lines, each with what it has spent."""
    return {"budget_lines": budget_lines_out(budget_lines_with_spent(project))}
