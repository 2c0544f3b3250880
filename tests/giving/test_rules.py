"""The pure rules of giving, alone: what may be refunded, the status a refund
leaves, receipt numbers and access tokens."""

import re
from decimal import Decimal

import pytest

from jusha.giving import rules

RECEIPT = re.compile(r"^JS(\d{4})-([0-9A-HJKMNP-TV-Z]{8})-([0-9A-HJKMNP-TV-Z]{8})$")  # Crockford: no I, L, O, U


def test_a_gift_amount_is_checked_once_inclusive_of_both_limits():
    """Gift amounts go through the one amount check (core.money.require_positive)."""
    from jusha.core.errors import Invalid
    from jusha.core.money import Money, require_positive

    limits = dict(at_least=Money(100), small_code="amount_too_small", at_most=Money(200), large_code="amount_too_large")
    assert require_positive(Money(100), **limits) == Money(100)
    assert require_positive(Money(200), **limits) == Money(200)
    for fen, code in ((99, "amount_too_small"), (201, "amount_too_large"), (0, "invalid_amount"), (-5, "invalid_amount")):
        with pytest.raises(Invalid) as refused:
            require_positive(Money(fen), **limits)
        assert refused.value.code == code
    for not_money in (True, 1.0, 50.5, "100", Decimal("100"), None, 5000):
        with pytest.raises(TypeError):
            require_positive(not_money, **limits)


@pytest.mark.parametrize(
    "amount,refunded,available,expected",
    [
        (5000, 0, 100_000, 5000),  # all of it
        (5000, 2000, 100_000, 3000),  # what is left of it
        (5000, 5000, 100_000, 0),  # nothing left
        (5000, 0, 1200, 1200),  # the project spent the rest: spent money is not handed back
        (5000, 4000, 1200, 1000),  # the smaller of the two
        (5000, 0, 0, 0),
        (5000, 0, -300, 0),  # never negative
    ],
)
def test_refundable_is_what_is_left_of_the_gift_and_still_held(amount, refunded, available, expected):
    assert rules.refundable(amount=amount, refunded=refunded, project_available=available) == expected


@pytest.mark.parametrize(
    "refunded_total,status",
    [(1, "partially_refunded"), (4999, "partially_refunded"), (5000, "refunded"), (5001, "refunded")],
)
def test_status_after_refund(refunded_total, status):
    assert rules.status_after_refund(amount=5000, refunded_total=refunded_total) == status


def test_receipt_numbers_carry_the_year_and_80_random_bits():
    numbers = {rules.new_receipt_number(2026) for _ in range(2000)}
    assert len(numbers) == 2000  # not guessable, so never repeated in practice
    for number in numbers:
        found = RECEIPT.match(number)
        assert found and found.group(1) == "2026", number
        assert len(number) <= 24  # fits Donation.receipt_number
    assert RECEIPT.match(rules.new_receipt_number(2031)).group(1) == "2031"
    used = {c for n in numbers for c in n.split("-", 1)[1].replace("-", "")}
    assert len(used) == 32  # the whole alphabet is drawn on


def test_access_tokens_are_long_random_and_url_safe():
    tokens = {rules.new_access_token() for _ in range(500)}
    assert len(tokens) == 500
    assert all(len(t) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)


def test_far_above_the_gap_is_twice_the_gap_and_100_yuan_over():
    from jusha.giving.rules import far_above_gap

    assert far_above_gap(amount=50_000, gap=10_000)
    assert not far_above_gap(amount=20_000, gap=10_000)  # twice the gap: fine
    assert not far_above_gap(amount=3_000, gap=1_000)  # three times, but only ¥20 over
    assert not far_above_gap(amount=50_000, gap=0)  # a full project is refused elsewhere
