"""The matching rules, pure: no database, no clock. Services gather the facts, call these,
and write what they decide; the hypothesis tests check the invariants on generated gifts.

Ratios are integer basis points (10 000 = 1:1). A gift of g fen at r basis points wants
floor(g × r / 10 000) fen of match, and gets the least of that and every bound still open:
the per-gift cap, what is left of the project's cap and of the donor's daily cap (Asia/
Shanghai days), and what the pool has released so far and not yet committed. First come,
first served: gifts are allocated one at a time in the order they are paid.

A random ratio is drawn from HMAC-SHA256(seed, donation id) into [min, max]: the pool
publishes sha256(seed) before it matches anything and the seed once its window closes,
so anyone can recompute every draw.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time

from jusha.campaigns.rules import SHANGHAI, Window, window_problems

BP = 10_000  # basis points in a ratio of 1:1
MAX_BP = 100_000  # at most 10:1


@dataclass(frozen=True)
class Rules:
    budget: int
    min_bp: int
    max_bp: int
    min_gift: int = 1
    gift_cap: int | None = None  # most match for one gift
    donor_daily_cap: int | None = None  # most match for one donor in one day
    project_cap: int | None = None  # most match for one project from this pool
    tranches: tuple[int, ...] = ()  # released per day of the window; empty: all at once

    @property
    def fixed(self) -> bool:
        return self.min_bp == self.max_bp


@dataclass(frozen=True)
class Usage:
    """What is already committed (matched or held, net of returns) when a gift arrives."""

    pool: int = 0
    project: int = 0
    donor_day: int = 0


@dataclass(frozen=True)
class Allocation:
    amount: int
    ratio_bp: int
    wanted: int
    bound: str  # what decided the amount: ratio, gift_cap, project_cap, donor_daily_cap, pool, minimum


def seed_hash(seed: str) -> str:
    """The published commitment to a pool's seed (64 hex characters = 32 bytes)."""
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def draw_bp(rules: Rules, *, seed: str, donation_id: str) -> int:
    """The ratio for one gift: fixed, or HMAC-SHA256(seed, donation id) mapped into
    [min_bp, max_bp] as (digest as a 256-bit big-endian integer) mod (span) + min_bp."""
    if rules.fixed:
        return rules.min_bp
    digest = hmac.new(bytes.fromhex(seed), str(donation_id).encode(), hashlib.sha256).digest()
    return rules.min_bp + int.from_bytes(digest, "big") % (rules.max_bp - rules.min_bp + 1)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def day_index(starts_at: datetime, moment: datetime) -> int:
    """Which day of the pool's window `moment` falls on (0 = the first), in Shanghai days."""
    return (local_day(moment) - local_day(starts_at)).days


def released(rules: Rules, day: int) -> int:
    """How much of the budget is released on day `day`: tranches add up day by day, and
    what a day leaves unspent carries over."""
    if day < 0:
        return 0
    if not rules.tranches:
        return rules.budget
    return min(rules.budget, sum(rules.tranches[: day + 1]))


def tranche_opening(starts_at: datetime, day: int, daily_opens: time | None = None) -> datetime:
    """When day `day`'s tranche opens: the window's start, then each later day's midnight
    (or its opening hour, when the campaign keeps daily hours)."""
    if day <= 0:
        return starts_at
    start = local_day(starts_at)
    return datetime.combine(date.fromordinal(start.toordinal() + day), daily_opens or time(0), tzinfo=SHANGHAI)


def allocate(rules: Rules, *, gift: int, ratio_bp: int, day: int, usage: Usage) -> Allocation:
    """The match for one gift, given what is already committed. Never negative, never over
    any bound; the full wanted amount whenever every bound leaves room for it."""
    if gift < rules.min_gift:
        return Allocation(0, ratio_bp, 0, "minimum")
    wanted = gift * ratio_bp // BP
    bounds = [("ratio", wanted)]
    if rules.gift_cap is not None:
        bounds.append(("gift_cap", rules.gift_cap))
    if rules.project_cap is not None:
        bounds.append(("project_cap", rules.project_cap - usage.project))
    if rules.donor_daily_cap is not None:
        bounds.append(("donor_daily_cap", rules.donor_daily_cap - usage.donor_day))
    bounds.append(("pool", released(rules, day) - usage.pool))
    bound, amount = min(bounds, key=lambda b: b[1])  # ties: the earlier bound names it
    return Allocation(max(0, amount), ratio_bp, wanted, bound)


CHUNK_GIFTS = 4  # a chunk holds at least this many matches like the one at hand


def chunk_size(*, free: int, need: int, share: int) -> int:
    """How much of a pool's free money an app process takes at a time: room for a few
    matches like the one at hand, or 1/`share` of what is free if that is more; never more
    than is free (0: nothing free). Chunks shrink as the pool runs low."""
    if free <= 0 or need <= 0:
        return 0
    return min(free, max(need * CHUNK_GIFTS, free // share))


def kept_after_refunds(*, match: int, gift: int, refunded: int) -> int:
    """How much of a gift's match stays with the project once `refunded` of the gift has
    been refunded: floor(match × (gift − refunded) / gift). Each refund returns the drop
    in this figure, so partial refunds add up exactly and a full refund returns it all."""
    remaining = max(0, gift - refunded)
    return match * remaining // gift


def days_in(window: Window) -> int:
    return (local_day(window.ends_at) - local_day(window.starts_at)).days + (
        1 if window.ends_at.astimezone(SHANGHAI).time() != time(0) else 0
    )


def rule_problems(rules: Rules, window: Window) -> list[str]:
    """Stable codes of rules that contradict themselves or their window (empty: sound)."""
    problems = list(window_problems(window))
    if rules.budget <= 0:
        problems.append("invalid_budget")
    if rules.min_bp <= 0 or rules.max_bp < rules.min_bp or rules.max_bp > MAX_BP:
        problems.append("invalid_ratio")
    if rules.min_gift < 1:
        problems.append("invalid_min_gift")
    caps = [c for c in (rules.gift_cap, rules.donor_daily_cap, rules.project_cap) if c is not None]
    if any(c <= 0 for c in caps):
        problems.append("invalid_cap")
    elif rules.min_bp > 0 and any(c < max(1, rules.min_gift * rules.min_bp // BP) for c in caps):
        # A cap that cannot hold the match of one minimum gift contradicts the minimum.
        problems.append("cap_below_minimum")
    if rules.tranches and (
        any(t <= 0 for t in rules.tranches)
        or sum(rules.tranches) != rules.budget
        or ("invalid_window" not in problems and len(rules.tranches) > days_in(window))
    ):
        problems.append("invalid_tranches")
    return problems


# --- anti-gaming signals ---------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    account_gifts: int = 5  # gifts from one donor account (or receipt email) to one project
    device_gifts: int = 5
    network_gifts: int = 20
    burst_seconds: int = 60  # "at the moment a tranche opens": this long after it
    burst_gifts: int = 10  # gifts to one project in that moment


@dataclass(frozen=True)
class Evidence:
    """Facts about one gift, gathered by the service (counts include the gift itself)."""

    own_member: bool = False  # the donor is a member of the project's organisation
    org_identity: tuple[str, ...] = ()  # identities ("email", "device", "network") a member also used
    account_gifts: int = 1
    device_gifts: int = 0
    network_gifts: int = 0
    seconds_after_opening: int | None = None
    burst_gifts: int = 0


def signals(evidence: Evidence, limits: Thresholds) -> list[dict]:
    """The gift's anti-gaming signals: any one holds its match for staff review."""
    found = []
    if evidence.own_member:
        found.append({"code": "own_member"})
    if evidence.org_identity:
        found.append({"code": "org_identity", "shared": list(evidence.org_identity)})
    for code, count, limit in (
        ("repeat_account", evidence.account_gifts, limits.account_gifts),
        ("repeat_device", evidence.device_gifts, limits.device_gifts),
        ("repeat_network", evidence.network_gifts, limits.network_gifts),
    ):
        if count >= limit:
            found.append({"code": code, "count": count, "threshold": limit})
    seconds = evidence.seconds_after_opening
    if seconds is not None and 0 <= seconds <= limits.burst_seconds and evidence.burst_gifts >= limits.burst_gifts:
        found.append({"code": "tranche_burst", "count": evidence.burst_gifts, "seconds": seconds})
    return found
