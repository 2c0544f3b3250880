"""What a pledge can go to: a registry of target kinds. Pledges registers "project" and
"cause" itself (apps.py); a higher app (sponsorship, issue 18) registers its own kind in its
AppConfig.ready(), without pledges naming it. A kind not registered is refused with 422
`target_unavailable`.

A kind may also give `context(ref)`: what each charge's gift carries to the subscribers of
giving's events (`{"pledge": id, **context(ref)}`), and the place where the target refuses
one period without being closed: `SkipPeriod` (a Conflict) makes the run skip that month
(nothing charged, nothing failed, the pledge stays as it is)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jusha.core.errors import Conflict, Invalid

KNOWN_KINDS = ("project", "cause", "sponsorship")  # the API's fields; only registered ones are taken


@dataclass(frozen=True)
class TargetKind:
    kind: str
    # (ref) -> the Project a charge goes to now: raises NotFound / Conflict / Invalid as a gift would
    resolve: Callable[[str], object]
    # (ref) -> what "my giving" calls it
    label: Callable[[str], str]
    # (ref) -> the gift's context for this period's charge; raises SkipPeriod to skip it
    context: Callable[[str], dict] | None = None


class SkipPeriod(Conflict):
    """This period is not to be charged (the target is paused, paid up, not due yet): the
    pledge skips it, without counting a failure and without pausing."""

    code = "period_skipped"


_kinds: dict[str, TargetKind] = {}


def target_register(kind: str, *, resolve, label, context=None) -> None:
    """Register a kind of pledge target (idempotent: ready() may run twice)."""
    _kinds[kind] = TargetKind(kind, resolve, label, context)


def target_context(kind: str, ref: str) -> dict:
    """What a charge's gift carries for this target (SkipPeriod: not this period)."""
    given = target_kind(kind).context
    return dict(given(ref)) if given is not None else {}


def target_kind(kind: str) -> TargetKind:
    if kind not in _kinds:
        raise Invalid(_("Monthly giving to a “%(kind)s” is not available yet.") % {"kind": kind}, code="target_unavailable")
    return _kinds[kind]


def target_kinds() -> list[str]:
    return sorted(_kinds)
