"""A crisis case's lifecycle: open → claimed → closed; a claimed case can be released back to
the queue; a supervisor can close an open case (a false alarm) without claiming it."""

from django.utils.translation import gettext_lazy

from jusha.core.statemachine import TransitionTable
from jusha.crisis.models import Case

S = Case.Status
RESPONDER, SUPERVISOR = "responder", "supervisor"
READERS = {RESPONDER, SUPERVISOR}

CASE = TransitionTable(
    gettext_lazy("crisis case"),
    [
        (S.OPEN, S.CLAIMED, READERS),
        (S.CLAIMED, S.OPEN, READERS),
        (S.CLAIMED, S.CLOSED, READERS),
        (S.OPEN, S.CLOSED, {SUPERVISOR}),
    ],
    labels=Case.Status.choices,
)
