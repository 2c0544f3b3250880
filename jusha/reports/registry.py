"""What can be reported: a small registry of kinds. Reports registers projects and
organisations itself (kinds.py); apps above register their own in their AppConfig.ready()
(social: share links; community: posts), so this one model serves the whole platform
without naming the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    name: str  # stable, stored on the report ("project", "share_link")
    label: Any  # shown to staff and reporters (lazy translation)
    lookup: Callable[[Any, str], Any]  # (user, public key: slug or code) -> the target, or NotFound
    get: Callable[[int], Any]  # primary key -> the target, or None (it may have been deleted)
    describe: Callable[[Any], str]  # the target's name for the staff queue
    url: Callable[[Any], str]  # its public page
    organisation_of: Callable[[Any], Any] = lambda target: None  # the organisation that answers for it
    is_own: Callable[[Any, Any], bool] = lambda target, user: False  # the user cannot report their own
    hide: Callable[..., int] | None = None  # (target, actor, reason) -> what was hidden/suspended
    restore: Callable[..., int] | None = None  # (target, actor, reason)
    after_report: Callable[..., None] | None = None  # (report, target), in the report's transaction
    reasons: tuple[str, ...] = ("fraud", "misuse", "false_information", "other")
    # Members' content (community's posts, comments, team pages): a member's report hides it
    # pending review (`hide`, actor None); staff's decision settles it, in the decision's
    # transaction: upheld -> `remove`, dismissed with no other report open -> `restore`.
    held_pending_review: bool = False
    remove: Callable[..., int] | None = None  # (target, actor, reason)
    notice: Any = None  # what the report form says instead of the default (lazy translation)


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Idempotent (ready() may run twice); a second, different kind of one name is refused."""
    existing = _kinds.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"report kind {kind.name!r} is already registered")
    _kinds[kind.name] = kind
    return kind


def kind(name: str) -> Kind:
    return _kinds[name]


def kinds() -> dict[str, Kind]:
    return dict(_kinds)
