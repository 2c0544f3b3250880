"""Donation status transitions."""

from jusha.core.statemachine import SYSTEM, TransitionTable

REFUNDERS = {"finance", "owner", "staff", SYSTEM}

DONATION = TransitionTable(
    "donation",
    [
        ("pending", "paid", {SYSTEM}),
        ("pending", "failed", {SYSTEM}),
        ("pending", "expired", {SYSTEM}),
        # The provider took the money after we gave up waiting: always recorded.
        ("expired", "paid", {SYSTEM}),
        ("failed", "paid", {SYSTEM}),
        ("paid", "partially_refunded", REFUNDERS),
        ("paid", "refunded", REFUNDERS),
        ("partially_refunded", "partially_refunded", REFUNDERS),
        ("partially_refunded", "refunded", REFUNDERS),
    ],
)
