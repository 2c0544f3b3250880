import pytest

from jusha.giving import rules as giving_rules
from jusha.ledger.rules import UnbalancedEntry, check_balanced


def test_balanced_entry_total_is_its_debits():
    assert check_balanced([("cash", 500, "CNY"), ("fund", -500, "CNY")]) == 500


@pytest.mark.parametrize(
    "lines",
    [
        [("cash", 500, "CNY")],
        [("cash", 500, "CNY"), ("fund", -499, "CNY")],
        [("cash", 500, "CNY"), ("fund", -500, "USD")],
        [("cash", 5.0, "CNY"), ("fund", -5.0, "CNY")],
        [("cash", 0, "CNY"), ("fund", 0, "CNY")],
    ],
)
def test_unbalanced_or_float_entries_refused(lines):
    with pytest.raises(UnbalancedEntry):
        check_balanced(lines)


def test_refundable_never_exceeds_gift_left_or_project_funds():
    assert giving_rules.refundable(amount=1000, refunded=300, project_available=10_000) == 700
    assert giving_rules.refundable(amount=1000, refunded=0, project_available=400) == 400
    assert giving_rules.refundable(amount=1000, refunded=1000, project_available=400) == 0
    assert giving_rules.refundable(amount=1000, refunded=0, project_available=-5) == 0


def test_receipt_numbers_are_unguessable_and_distinct():
    numbers = {giving_rules.new_receipt_number(2026) for _ in range(1000)}
    assert len(numbers) == 1000
    assert all(n.startswith("JS2026-") and len(n) == 24 for n in numbers)
