"""Donation status transitions."""

from django.utils.translation import gettext_lazy

from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.giving.models import Donation, Refund

REFUNDERS = {"finance", "owner", "staff", SYSTEM}

DONATION = TransitionTable(
    gettext_lazy("gift"),
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
    labels=Donation.Status.choices,
)

# A refund is recorded (journal, fact, the gift's status) before its provider is asked;
# then the provider confirms it or refuses it.
REFUND = TransitionTable(
    gettext_lazy("refund"),
    [
        ("pending", "succeeded", {SYSTEM}),
        ("pending", "failed", {SYSTEM}),
    ],
    labels=Refund.Status.choices,
)
