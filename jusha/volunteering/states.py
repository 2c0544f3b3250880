"""The lifecycles of volunteering, as tables (core.statemachine).

Sign-up: confirmed ⇄ waitlisted → cancelled; confirmed → attended (checked in) or no_show;
a cancelled sign-up may be re-opened by the member. Hours: pending → confirmed (final: a
public fact) or rejected; the volunteer disputes a pending or rejected record, the
organisation settles the dispute. Activity: published → cancelled. A group's proposal:
proposed → accepted or declined.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.volunteering.models import Activity, GroupProposal, HoursRecord, Signup

VOLUNTEER = "volunteer"
OWNER, EDITOR = "owner", "editor"
ORGANISERS = frozenset({OWNER, EDITOR})  # the organisation's members who run activities

S = Signup.Status
SIGNUP = TransitionTable(
    gettext_lazy("sign-up"),
    [
        (S.CONFIRMED, S.CANCELLED, {VOLUNTEER, OWNER, EDITOR, SYSTEM}),  # SYSTEM: the activity was cancelled
        (S.WAITLISTED, S.CANCELLED, {VOLUNTEER, OWNER, EDITOR, SYSTEM}),
        (S.WAITLISTED, S.CONFIRMED, {SYSTEM}),  # a place came free: promoted in the waitlist's order
        (S.CANCELLED, S.CONFIRMED, {VOLUNTEER}),  # signed up again, a place free
        (S.CANCELLED, S.WAITLISTED, {VOLUNTEER}),  # signed up again, the shift full
        (S.CONFIRMED, S.ATTENDED, {VOLUNTEER, OWNER, EDITOR}),  # scanned the code, or checked in by the organiser
        (S.CONFIRMED, S.NO_SHOW, {OWNER, EDITOR}),
        (S.NO_SHOW, S.ATTENDED, {OWNER, EDITOR}),  # marked by mistake: came late after all
    ],
    labels=Signup.Status.choices,
)

H = HoursRecord.Status
HOURS = TransitionTable(
    gettext_lazy("hours record"),
    [
        (H.PENDING, H.CONFIRMED, {OWNER, EDITOR, SYSTEM}),  # SYSTEM: confirmed deliveries
        (H.PENDING, H.REJECTED, {OWNER, EDITOR}),
        (H.PENDING, H.DISPUTED, {VOLUNTEER}),
        (H.REJECTED, H.DISPUTED, {VOLUNTEER}),
        (H.DISPUTED, H.CONFIRMED, {OWNER, EDITOR}),
        (H.DISPUTED, H.REJECTED, {OWNER, EDITOR}),
    ],
    labels=HoursRecord.Status.choices,
)

A = Activity.Status
ACTIVITY = TransitionTable(
    gettext_lazy("volunteer activity"),
    [(A.PUBLISHED, A.CANCELLED, {OWNER, EDITOR})],
    labels=Activity.Status.choices,
)

P = GroupProposal.Status
PROPOSAL = TransitionTable(
    gettext_lazy("group proposal"),
    [(P.PROPOSED, P.ACCEPTED, {OWNER, EDITOR}), (P.PROPOSED, P.DECLINED, {OWNER, EDITOR})],
    labels=GroupProposal.Status.choices,
)

# Sign-ups that hold (or wait for) a place, and those that count against capacity.
ACTIVE = (S.CONFIRMED, S.WAITLISTED, S.ATTENDED)
TAKING_A_PLACE = (S.CONFIRMED, S.ATTENDED, S.NO_SHOW)
