"""The lifecycles of sponsorship, as tables (tests/test_states_tables.py checks each).

Beneficiary: waiting → sponsored (a sponsor's first month is paid or pending) → paused (a
follow-up case is open) → sponsored again; back to waiting when a sponsorship ends with the
student still in school; graduated at the end of the term; withdrawn by the organisation.

Sponsorship: pending (first month not paid yet: it holds the place) → active → paused (a
follow-up case) → active again by the donor's choice, or ended (refund or redirect of what
it holds); active → completed at the end of the term; pending → cancelled when the first
month is never paid.

The donor's choices are taken by the platform on the donor's behalf (SYSTEM) after
`permissions` has checked that the donor is the sponsor.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import Forbidden, TransitionRefused
from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Sponsorship

OWNER, EDITOR, FINANCE, STAFF = "owner", "editor", "finance", "staff"
MEMBERS = frozenset({OWNER, EDITOR, FINANCE})
CARERS = frozenset({OWNER, EDITOR})  # hold the beneficiaries' records, post reports, follow up
PAYERS = frozenset({OWNER, FINANCE})  # pay out to schools and guardians

B = Beneficiary.Status
BENEFICIARY = TransitionTable(
    gettext_lazy("beneficiary"),
    [
        (B.WAITING, B.SPONSORED, {SYSTEM}),
        (B.SPONSORED, B.WAITING, {SYSTEM}),  # the last sponsorship ended or was never paid
        (B.SPONSORED, B.PAUSED, {SYSTEM}),  # a follow-up case opened
        (B.PAUSED, B.SPONSORED, {SYSTEM}),  # reached
        (B.PAUSED, B.WAITING, {SYSTEM}),  # reached, but the sponsor chose to end
        (B.SPONSORED, B.GRADUATED, {OWNER, EDITOR, SYSTEM}),
        (B.WAITING, B.GRADUATED, {OWNER, EDITOR}),
        (B.WAITING, B.WITHDRAWN, {OWNER, EDITOR}),
        (B.SPONSORED, B.WITHDRAWN, {OWNER, EDITOR, SYSTEM}),
        (B.PAUSED, B.WITHDRAWN, {OWNER, EDITOR, SYSTEM}),
    ],
    labels=B.choices,
)

S = Sponsorship.Status
SPONSORSHIP = TransitionTable(
    gettext_lazy("sponsorship"),
    [
        (S.PENDING, S.ACTIVE, {SYSTEM}),  # the first month is paid
        (S.PENDING, S.CANCELLED, {SYSTEM}),  # it never was
        (S.ACTIVE, S.PAUSED, {SYSTEM}),  # a follow-up case opened
        (S.PAUSED, S.ACTIVE, {SYSTEM}),  # closed: reached or a changed plan, and the donor carries on
        (S.PAUSED, S.ENDED, {SYSTEM}),  # the donor chose a refund or to redirect, or the student withdrew
        (S.ACTIVE, S.ENDED, {SYSTEM}),
        (S.ACTIVE, S.COMPLETED, {OWNER, EDITOR}),  # the end of the term, with its outcome
    ],
    labels=S.choices,
)

C = FollowUpCase.Status
CASE = TransitionTable(
    gettext_lazy("follow-up case"),
    [(C.OPEN, C.CLOSED, {OWNER, EDITOR})],
    labels=C.choices,
)


def check(table: TransitionTable, source: str, target: str, roles) -> None:
    """409 for a step that does not follow, 403 for a role that may not take it."""
    try:
        table.check(source, target, roles)
    except TransitionRefused as exc:
        if exc.code != "transition_not_allowed":
            raise
        raise Forbidden(_("Your role in this organisation cannot take this step."), code="not_allowed") from exc
