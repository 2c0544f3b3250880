"""A case's lifecycle: active → found | withdrawn (both final); a sighting's triage:
new → checked → passed to the police | not relevant (or straight from new).

The partner's owners and editors and platform staff take each step; the only way a status
changes is a service calling `check`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.core.errors import Forbidden, TransitionRefused
from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.missing.models import Case, Sighting

OWNER, EDITOR, STAFF = "owner", "editor", "staff"
KEEPERS = frozenset({OWNER, EDITOR, STAFF})

C = Case.Status
CASE = TransitionTable(
    gettext_lazy("missing-person case"),
    [
        (C.ACTIVE, C.FOUND, KEEPERS | {SYSTEM}),  # SYSTEM: a partner feed says so
        (C.ACTIVE, C.WITHDRAWN, KEEPERS | {SYSTEM}),
    ],
    labels=Case.Status.choices,
)

S = Sighting.Status
SIGHTING = TransitionTable(
    gettext_lazy("sighting"),
    [
        (S.NEW, S.CHECKED, KEEPERS),
        (S.NEW, S.POLICE, KEEPERS),
        (S.NEW, S.NOT_RELEVANT, KEEPERS),
        (S.CHECKED, S.POLICE, KEEPERS),
        (S.CHECKED, S.NOT_RELEVANT, KEEPERS),
    ],
    labels=Sighting.Status.choices,
)


def check(table: TransitionTable, source: str, target: str, roles) -> None:
    """409 for a step that does not follow, 403 for a role that may not take it."""
    try:
        table.check(source, target, roles)
    except TransitionRefused as exc:
        if exc.code != "transition_not_allowed":
            raise
        raise Forbidden(_("Your role in this organisation cannot take this step."), code="not_allowed") from exc
