"""Pools and matches: the allowed status changes, as tables."""

from django.utils.translation import gettext_lazy

from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.matching.models import Match, Pool

DRAFT, ACTIVE, CLOSED = "draft", "active", "closed"
MATCHED, HELD, RELEASED, RETURNED = "matched", "held", "released", "returned"
OWNER, FINANCE, STAFF = "owner", "finance", "staff"

POOL = TransitionTable(
    gettext_lazy("matching pool"),
    [
        (DRAFT, ACTIVE, {STAFF}),  # guards: fully deposited, window not over
        (DRAFT, CLOSED, {OWNER, FINANCE, STAFF}),
        (ACTIVE, CLOSED, {STAFF, SYSTEM}),
    ],
    labels=Pool.Status.choices,
)

MATCH = TransitionTable(
    gettext_lazy("match"),
    [
        (HELD, RELEASED, {STAFF}),
        (HELD, RETURNED, {STAFF, SYSTEM}),  # rejected by staff, or its gift wholly refunded
        (MATCHED, RETURNED, {SYSTEM}),  # its gift wholly refunded
        (RELEASED, RETURNED, {SYSTEM}),
    ],
    labels=Match.Status.choices,
)

# Statuses whose match was journalled to the project.
PAID = (MATCHED, RELEASED)
