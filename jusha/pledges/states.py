"""Pledge and pledge-charge status transitions."""

from django.utils.translation import gettext_lazy

from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.pledges.models import Pledge, PledgeCharge

PLEDGER = "pledger"  # the member whose pledge it is

PLEDGE = TransitionTable(
    gettext_lazy("monthly pledge"),
    [
        ("active", "paused", {PLEDGER, SYSTEM}),  # the donor; the platform when its project closes or charges keep failing
        ("paused", "active", {PLEDGER}),  # only the donor resumes
        ("active", "cancelled", {PLEDGER, "staff", SYSTEM}),  # SYSTEM: the donor declined the agreement
        ("paused", "cancelled", {PLEDGER, "staff", SYSTEM}),
    ],
    labels=Pledge.Status.choices,
)

CHARGE = TransitionTable(
    gettext_lazy("monthly charge"),
    [
        ("pending", "succeeded", {SYSTEM}),
        ("pending", "failed", {SYSTEM}),
        ("pending", "unknown", {SYSTEM}),  # the provider did not answer: ask, never charge blindly
        ("unknown", "succeeded", {SYSTEM}),
        ("unknown", "failed", {SYSTEM}),
        ("unknown", "pending", {SYSTEM}),  # the provider never received it: the same attempt again
        ("failed", "pending", {SYSTEM}),  # a retry (+1, +3, +7 days)
        ("pending", "abandoned", {SYSTEM}),
        ("failed", "abandoned", {SYSTEM}),
        ("unknown", "abandoned", {SYSTEM}),
    ],
    labels=PledgeCharge.Status.choices,
)
