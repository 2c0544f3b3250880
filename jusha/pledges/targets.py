"""What a pledge can go to: a registry of target kinds. Pledges registers "project" and
"cause" itself (apps.py); a higher app (sponsorship, issue 18) registers its own kind in its
AppConfig.ready(), without pledges naming it. A kind not registered is refused with 422
`target_unavailable`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jusha.core.errors import Invalid

KNOWN_KINDS = ("project", "cause", "sponsorship")  # the API's fields; only registered ones are taken


@dataclass(frozen=True)
class TargetKind:
    kind: str
    # (ref) -> the Project a charge goes to now: raises NotFound / Conflict / Invalid as a gift would
    resolve: Callable[[str], object]
    # (ref) -> what "my giving" calls it
    label: Callable[[str], str]


_kinds: dict[str, TargetKind] = {}


def target_register(kind: str, *, resolve, label) -> None:
    """Register a kind of pledge target (idempotent: ready() may run twice)."""
    _kinds[kind] = TargetKind(kind, resolve, label)


def target_kind(kind: str) -> TargetKind:
    if kind not in _kinds:
        raise Invalid(_("Monthly giving to a “%(kind)s” is not available yet.") % {"kind": kind}, code="target_unavailable")
    return _kinds[kind]


def target_kinds() -> list[str]:
    return sorted(_kinds)
