"""The public ledger's rows, as the page, the CSV and the API show them."""

from django.utils import timezone

from jusha.ledger import rules
from jusha.ledger.selectors import budget_lines_with_spent


def ledger_rows(entries, *, media_url=lambda f: f.url) -> list[dict]:
    """Entries (from selectors.with_expenditures, which reads their expenditures) → public
    rows. No queries."""
    rows = []
    for e in entries:
        row = {
            "id": e.pk,
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "direction": rules.DIRECTIONS.get(e.kind, "out"),
            "amount": e.amount,
            "currency": e.currency,
            "created_at": timezone.localtime(e.created_at).isoformat(),
            "memo": e.memo,
        }
        x = e.expenditure
        if x is not None:
            row.update(
                {
                    "budget_line": x.budget_line.title,
                    "description": x.description,
                    "spent_on": x.spent_on.isoformat(),
                    "voucher_url": media_url(x.voucher),
                    "voucher_sha256": x.voucher_sha256,
                }
            )
        rows.append(row)
    return rows


def project_detail_fields(project) -> dict:
    """The project API's budget lines, each with what it has spent."""
    return {
        "budget_lines": [
            {"title": b.title, "amount": b.amount, "spent": b.spent or 0} for b in budget_lines_with_spent(project)
        ],
    }
