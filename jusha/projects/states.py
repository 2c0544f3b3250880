"""The project lifecycle: who may move a project from one status to another, and when.

The table says who (roles from `organisations.permissions.roles_for`, plus SYSTEM for
the platform itself); `check_guards` says when, from facts the service gathers. Both are
pure. `services.project_transition` is the only caller that changes a status.

The platform's own moves (funded when full, closing when the end date passes) are
decided by the jobs that make them (`project_mark_funded_if_full`,
`projects_close_ended`); the guards here are for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import TransitionRefused
from jusha.core.money import Money
from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.projects.models import Project

DRAFT = "draft"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
FUNDRAISING = "fundraising"
FUNDED = "funded"
SUSPENDED = "suspended"
EXECUTING = "executing"
COMPLETED = "completed"
CANCELLED = "cancelled"

OWNER, EDITOR, STAFF = "owner", "editor", "staff"
MEMBERS = {OWNER, EDITOR}

PROJECT = TransitionTable(
    gettext_lazy("project"),
    [
        (DRAFT, IN_REVIEW, MEMBERS),
        (IN_REVIEW, DRAFT, MEMBERS),  # withdraw
        (IN_REVIEW, CHANGES_REQUESTED, {STAFF}),
        (CHANGES_REQUESTED, DRAFT, MEMBERS),
        (IN_REVIEW, FUNDRAISING, {STAFF}),  # approve and publish
        (FUNDRAISING, FUNDED, {SYSTEM}),
        (FUNDRAISING, EXECUTING, {SYSTEM, OWNER}),  # ended short (proportional rule), or closed early
        (FUNDRAISING, CANCELLED, {OWNER, STAFF, SYSTEM}),
        # Staff stop a project's fundraising while a report about it is looked into (or after
        # one is upheld); they resume it, or cancel it and every gift is refunded.
        (FUNDRAISING, SUSPENDED, {STAFF}),
        (SUSPENDED, FUNDRAISING, {STAFF}),
        (SUSPENDED, CANCELLED, {STAFF}),
        (FUNDED, EXECUTING, {OWNER, EDITOR, SYSTEM}),
        (EXECUTING, COMPLETED, {OWNER}),
        (DRAFT, CANCELLED, {OWNER, STAFF}),
        (IN_REVIEW, CANCELLED, {OWNER, STAFF}),
        (CHANGES_REQUESTED, CANCELLED, {OWNER, STAFF}),
        (FUNDED, CANCELLED, {STAFF}),
        (EXECUTING, CANCELLED, {STAFF}),
    ],
    labels=Project.Status.choices,
)

REASON_REQUIRED = {
    (IN_REVIEW, CHANGES_REQUESTED), (FUNDED, CANCELLED), (EXECUTING, CANCELLED),
    (FUNDRAISING, SUSPENDED), (SUSPENDED, FUNDRAISING), (SUSPENDED, CANCELLED),
}
# A suspended project stays on view (donors see why it stopped taking gifts), but takes none.
PUBLIC = (FUNDRAISING, SUSPENDED, FUNDED, EXECUTING, COMPLETED)
EDITABLE = (DRAFT, CHANGES_REQUESTED)
UPDATABLE = (FUNDRAISING, SUSPENDED, FUNDED, EXECUTING, COMPLETED)  # progress updates may be posted


@dataclass(frozen=True)
class Facts:
    """What the guards look at. Only the facts a transition needs have to be filled in."""

    now: datetime
    goal: int
    currency: str = "CNY"
    ends_at: datetime | None = None
    shortfall_rule: str = "proportional"
    organisation_verified: bool = False
    budget_total: int = 0
    raised: int = 0
    reason: str = ""
    final_report: str = ""  # as plain text


def allowed_targets(source: str, roles) -> list[str]:
    """Targets the holder of any of `roles` may ask for (buttons to show; guards still apply)."""
    return list(dict.fromkeys(t for role in roles for t in PROJECT.targets(source, role)))


def _refuse(message: str, code: str, source: str, target: str):
    raise TransitionRefused(message, code=code, extra={"from": source, "to": target})


def check_guards(source: str, target: str, *, system: bool, facts: Facts) -> None:
    """Raise TransitionRefused saying why, or return. The table has already said who."""
    if (source, target) in REASON_REQUIRED and not facts.reason:
        _refuse(_("Say why: a reason is required for this change."), "reason_required", source, target)
    if system:
        return
    if (source, target) == (IN_REVIEW, FUNDRAISING):
        if not facts.organisation_verified:
            _refuse(
                _("The organisation is not verified yet, so its projects cannot raise money."),
                "organisation_not_verified", source, target,
            )
        if facts.goal <= 0:
            _refuse(_("The goal must be more than zero."), "goal_not_positive", source, target)
        if facts.budget_total != facts.goal:
            _refuse(
                _("The budget lines add up to %(total)s but the goal is %(goal)s.")
                % {"total": Money(facts.budget_total, facts.currency), "goal": Money(facts.goal, facts.currency)},
                "budget_mismatch", source, target,
            )
        if facts.ends_at is None or facts.ends_at <= facts.now:
            _refuse(
                _("The fundraising end date has passed: set a later one before approval."),
                "ends_at_past", source, target,
            )
    elif (source, target) == (FUNDRAISING, EXECUTING):
        if facts.raised <= 0:
            _refuse(_("Nothing has been raised: cancel the project instead."), "nothing_raised", source, target)
        if facts.raised < facts.goal and facts.shortfall_rule == "refund":
            _refuse(
                _(
                    "This project promised to refund every gift if it fell short:"
                    " cancel it instead, and gifts are refunded."
                ),
                "shortfall_refund_rule", source, target,
            )
    elif (source, target) == (EXECUTING, COMPLETED) and not facts.final_report:
        _refuse(_("Write the final report before completing the project."), "final_report_required", source, target)
