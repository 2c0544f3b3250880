"""Pure rules of campaigns: when a campaign is open (its window, and daily opening hours
in Asia/Shanghai time), and what its countdown counts to. No database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

UPCOMING, OPEN, PAUSED, CLOSED = "upcoming", "open", "paused", "closed"


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime
    opens: time | None = None  # daily opening hours (Asia/Shanghai), both or neither
    closes: time | None = None


def window_problems(window: Window) -> list[str]:
    """Stable codes of what contradicts itself in a window (empty: it is sound)."""
    problems = []
    if window.ends_at <= window.starts_at:
        problems.append("invalid_window")
    one_sided = (window.opens is None) != (window.closes is None)
    if one_sided or (window.opens is not None and window.opens >= window.closes):
        problems.append("invalid_hours")
    return problems


def _within_hours(window: Window, moment: datetime) -> bool:
    if window.opens is None:
        return True
    return window.opens <= moment.astimezone(SHANGHAI).time() < window.closes


def phase(window: Window, now: datetime) -> str:
    if now < window.starts_at:
        return UPCOMING
    if now >= window.ends_at:
        return CLOSED
    return OPEN if _within_hours(window, now) else PAUSED


def is_open(window: Window, now: datetime) -> bool:
    return phase(window, now) == OPEN


def next_opening(window: Window, now: datetime) -> datetime | None:
    """The first moment at or after `now` at which the campaign is open (None: never again)."""
    moment = max(now, window.starts_at)
    if moment >= window.ends_at:
        return None
    if not _within_hours(window, moment):
        local = moment.astimezone(SHANGHAI)
        day = local.date() if local.time() < window.opens else local.date() + timedelta(days=1)
        moment = datetime.combine(day, window.opens, tzinfo=SHANGHAI)
    return moment if moment < window.ends_at else None


def countdown_target(window: Window, now: datetime) -> datetime | None:
    """What the countdown counts to: the next opening while upcoming or paused, the next
    closing (end of the day's hours or of the window) while open, nothing once closed."""
    current = phase(window, now)
    if current == CLOSED:
        return None
    if current != OPEN:
        return next_opening(window, now)
    if window.closes is None:
        return window.ends_at
    closing = datetime.combine(now.astimezone(SHANGHAI).date(), window.closes, tzinfo=SHANGHAI)
    return min(window.ends_at, closing)
