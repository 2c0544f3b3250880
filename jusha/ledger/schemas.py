"""The public ledger's rows, as the page, the CSV and the API show them."""

from django.utils import timezone

from jusha.ledger import rules


def ledger_rows(entries, *, media_url=lambda f: f.url) -> list[dict]:
    """Entries (from selectors.with_expenditures, which reads their expenditures) → public
    rows. No queries."""
    rows = []
    for e in entries:
        row = {
            "id": e.pk,
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),  # in the reader's language
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


def budget_lines_out(lines) -> list[dict]:
    """Budget lines (selectors.budget_lines_with_spent), each with what it has spent."""
    return [{"title": b.title, "amount": b.amount, "spent": b.spent or 0} for b in lines]
