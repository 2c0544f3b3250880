"""Pure decisions of volunteering (no database): the rotating check-in code, the check-in
window, minutes served, ages, overlaps, the pledge and retention figures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STEP = 30  # seconds: a new code every 30 s; the current and the previous one are accepted
OPENS_BEFORE = timedelta(minutes=30)  # check-in opens half an hour before the shift
CHECKOUT_GRACE = timedelta(hours=2)  # check-out is possible up to two hours after the end
PURPOSES = ("in", "out")
_TOKEN = re.compile(r"^(in|out)\.([1-9][0-9]{0,11})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$")


class TokenError(ValueError):
    """A code that opens nothing. `code` is the stable reason: malformed, forged, expired."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Token:
    purpose: str
    shift_id: int
    window: int


def window_of(moment: float) -> int:
    return int(moment // STEP)


def _mac(key: bytes, purpose: str, shift_id: int, window: int) -> str:
    digest = hmac.new(key, f"jusha.checkin|{purpose}|{shift_id}|{window}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def token_make(key: bytes, purpose: str, shift_id: int, moment: float) -> str:
    """The code shown at `moment` (unix seconds) for a shift, keyed by the site's secret and
    the shift's own: `in.<shift>.<window>.<mac>`."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    window = window_of(moment)
    return f"{purpose}.{shift_id}.{window}.{_mac(key, purpose, shift_id, window)}"


def token_parse(token: str) -> Token:
    """What a code claims (not yet checked): TokenError("malformed") if it is not a code."""
    match = _TOKEN.match(token or "")
    if not match:
        raise TokenError("malformed")
    return Token(match[1], int(match[2]), int(match[3]))


def token_check(key: bytes, token: str, moment: float) -> Token:
    """The code's claim, if its MAC is the shift's (else "forged") and it is the current or
    the previous window's code (else "expired"; a code from the future is forged)."""
    claim = token_parse(token)
    mac = token.rsplit(".", 1)[1]
    if not hmac.compare_digest(mac, _mac(key, claim.purpose, claim.shift_id, claim.window)):
        raise TokenError("forged")
    now = window_of(moment)
    if claim.window > now:
        raise TokenError("forged")
    if claim.window < now - 1:
        raise TokenError("expired")
    return claim


def seconds_left(moment: float) -> int:
    """Seconds until the next code."""
    return STEP - int(moment) % STEP


def checkin_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When a check-in is accepted: from half an hour before the start to the end."""
    return starts_at - OPENS_BEFORE, ends_at


def checkout_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    return starts_at, ends_at + CHECKOUT_GRACE


def shift_minutes(starts_at: datetime, ends_at: datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def served_minutes(starts_at: datetime, ends_at: datetime, checked_in: datetime, checked_out: datetime) -> int:
    """Minutes present within the shift: arriving early or staying late does not count
    beyond the shift, so the result never exceeds the shift's length."""
    begin, end = max(starts_at, checked_in), min(ends_at, checked_out)
    return max(0, int((end - begin).total_seconds() // 60))


def age_on(birth_year: int, day: date) -> int:
    """The youngest the member can be on `day` (born on 31 December of the year): a
    minimum age is never waived by a guess in the member's favour."""
    return day.year - birth_year - 1


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def pledge_progress(minutes: int, pledge: int) -> int:
    """Per cent of the yearly pledge served (0..100)."""
    if pledge <= 0:
        return 100
    return min(100, minutes * 100 // pledge)


def retention(by_year: dict[int, set]) -> dict[int, int | None]:
    """Per year, the per cent of the previous year's volunteers who served again (None for
    the first year, or when the previous year had nobody)."""
    out = {}
    for year in sorted(by_year):
        before = by_year.get(year - 1)
        out[year] = None if not before else len(before & by_year[year]) * 100 // len(before)
    return out


def weekly_starts(first: datetime, count: int) -> list[datetime]:
    """A recurring activity's starts: the first, then every 7 days."""
    return [first + timedelta(days=7 * i) for i in range(count)]
