"""A delivery batch's lifecycle: created → purchasing → shipped → delivered → disclosed;
or created → cancelled, when its project is cancelled before the purchase.

Each step has its own service (the purchase records an expenditure, the shipment a carrier,
…); all of them go through `check`, which refuses a skipped step (409) and a role that may
not take it (403). The platform itself (SYSTEM) marks a batch delivered when its last
unit is confirmed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import Forbidden, TransitionRefused
from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.fulfilment.models import Batch

S = Batch.Status
CREATED, PURCHASING, SHIPPED, DELIVERED, DISCLOSED, CANCELLED = (
    S.CREATED, S.PURCHASING, S.SHIPPED, S.DELIVERED, S.DISCLOSED, S.CANCELLED
)
OWNER, FINANCE, EDITOR = "owner", "finance", "editor"
MEMBERS = frozenset({OWNER, FINANCE, EDITOR})
PLANNERS = frozenset({OWNER, EDITOR})  # set the batch size, as they edit the project

BATCH = TransitionTable(
    gettext_lazy("delivery batch"),
    [
        (CREATED, PURCHASING, {OWNER, FINANCE}),  # the purchase, with the supplier's invoice
        (PURCHASING, SHIPPED, MEMBERS),
        (SHIPPED, DELIVERED, MEMBERS | {SYSTEM}),
        (DELIVERED, DISCLOSED, {OWNER, EDITOR}),
        (CREATED, CANCELLED, {SYSTEM}),  # its project was cancelled before the purchase
    ],
    labels=Batch.Status.choices,
)

# Project statuses in which its money is used (batches are made), and its plan may change.
SPENDING = ("fundraising", "funded", "executing")
PLANNABLE = ("draft", "in_review", "changes_requested", *SPENDING)
# Deliveries are confirmed once the batch is on its way, until it is disclosed.
CONFIRMABLE = (SHIPPED, DELIVERED)


def check(source: str, target: str, roles) -> None:
    """409 for a step that does not follow (or skips one), 403 for a role that may not take it."""
    try:
        BATCH.check(source, target, roles)
    except TransitionRefused as exc:
        if exc.code != "transition_not_allowed":
            raise
        raise Forbidden(_("Your role in this organisation cannot take this step."), code="not_allowed") from exc
