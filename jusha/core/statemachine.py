"""Declared state machines: each app's states.py lists its allowed transitions here.

A status never changes except through a service that calls `TransitionTable.check`,
which says why a refused transition is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jusha.core.errors import TransitionRefused

SYSTEM = "system"  # the platform itself: payment notifications, the worker's schedule

ROLE_LABELS = {
    "owner": gettext_lazy("the organisation's owners"),
    "editor": gettext_lazy("its editors"),
    "finance": gettext_lazy("its finance members"),
    "staff": gettext_lazy("platform staff"),
    "responder": gettext_lazy("crisis responders"),
    "supervisor": gettext_lazy("crisis supervisors"),
    "pledger": gettext_lazy("the pledge's donor"),
    "organiser": gettext_lazy("the circle's organisers"),
    "volunteer": gettext_lazy("the volunteer"),
    SYSTEM: gettext_lazy("the platform itself"),
}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]


class TransitionTable:
    def __init__(self, name, transitions: list[tuple[str, str, set[str] | frozenset[str]]], labels=None):
        """`name` and `labels` (state -> label, e.g. a model's Status.choices) are what a
        refusal shows people, in their language."""
        self.name = name
        self.labels = dict(labels or {})
        self._by_pair = {(s, t): Transition(s, t, frozenset(r)) for s, t, r in transitions}

    def targets(self, source: str, role: str | None = None) -> list[str]:
        return [t for (s, t), tr in self._by_pair.items() if s == source and (role is None or role in tr.roles)]

    def check(self, source: str, target: str, roles: set[str] | frozenset[str] | str) -> Transition:
        if isinstance(roles, str):
            roles = {roles}
        words = {"name": self.name, "source": self.labels.get(source, source), "target": self.labels.get(target, target)}
        transition = self._by_pair.get((source, target))
        if transition is None:
            raise TransitionRefused(
                _("A %(name)s cannot go from “%(source)s” to “%(target)s”.") % words,
                extra={"from": source, "to": target},
            )
        if not (set(roles) & transition.roles):
            raise TransitionRefused(
                _("Only %(roles)s may move a %(name)s from “%(source)s” to “%(target)s”.")
                % {"roles": _list_separator().join(str(ROLE_LABELS.get(r, r)) for r in sorted(transition.roles)), **words},
                code="transition_not_allowed",
                extra={"from": source, "to": target},
            )
        return transition

    def pairs(self) -> list[tuple[str, str]]:
        return list(self._by_pair)


def _list_separator() -> str:
    """Between the items of a list in a sentence: ", " in English, "、" in Chinese."""
    return pgettext("between the items of a list in a sentence", ", ")
