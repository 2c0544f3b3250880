"""The pure matching rules, on generated pools, gifts and orders: the invariants always hold."""

import hashlib
import hmac
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jusha.campaigns.rules import SHANGHAI, Window
from jusha.matching import rules
from jusha.matching.rules import BP, Evidence, Rules, Thresholds, Usage

START = datetime(2026, 9, 7, 0, 0, tzinfo=SHANGHAI)
WINDOW = Window(START, START + timedelta(days=3))
seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)


@st.composite
def pool_rules(draw):
    budget = draw(st.integers(1, 2_000_000))
    min_bp = draw(st.integers(1, 30_000))
    max_bp = draw(st.one_of(st.just(min_bp), st.integers(min_bp, min(rules.MAX_BP, min_bp + 40_000))))
    min_gift = draw(st.integers(1, 5_000))
    floor = max(1, min_gift * min_bp // BP)
    cap = st.one_of(st.none(), st.integers(floor, floor + 300_000))
    tranches = ()
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(1, budget - 1), max_size=2, unique=True))) if budget > 2 else []
        tranches = tuple(b - a for a, b in zip([0, *cuts], [*cuts, budget]))
    candidate = Rules(budget, min_bp, max_bp, min_gift, draw(cap), draw(cap), draw(cap), tranches)
    assert rules.rule_problems(candidate, WINDOW) == []
    return candidate


gifts = st.lists(
    st.tuples(st.integers(1, 500_000), st.integers(0, 3), st.integers(0, 4), st.integers(0, 2), st.uuids().map(str)),
    max_size=60,
)


def run(pool: Rules, seed: str, stream) -> list[tuple]:
    """First come, first served: gifts in the order they are paid (days never go back)."""
    committed, by_project, by_donor_day = 0, defaultdict(int), defaultdict(int)
    out = []
    for amount, project, donor, day, donation_id in sorted(stream, key=lambda g: g[3]):
        ratio = rules.draw_bp(pool, seed=seed, donation_id=donation_id)
        usage = Usage(pool=committed, project=by_project[project], donor_day=by_donor_day[donor, day])
        a = rules.allocate(pool, gift=amount, ratio_bp=ratio, day=day, usage=usage)
        out.append((amount, project, donor, day, ratio, usage, a))
        committed += a.amount
        by_project[project] += a.amount
        by_donor_day[donor, day] += a.amount
    return out


@given(pool_rules(), seeds, gifts)
def test_allocation_never_passes_a_bound_and_never_refuses_while_funds_could_cover(pool, seed, stream):
    committed, by_project, by_donor_day = 0, defaultdict(int), defaultdict(int)
    for amount, project, donor, day, ratio, usage, a in run(pool, seed, stream):
        assert pool.min_bp <= ratio <= pool.max_bp
        assert 0 <= a.amount
        room = {
            "ratio": amount * ratio // BP if amount >= pool.min_gift else 0,
            "gift_cap": pool.gift_cap,
            "project_cap": None if pool.project_cap is None else pool.project_cap - by_project[project],
            "donor_daily_cap": None if pool.donor_daily_cap is None else pool.donor_daily_cap - by_donor_day[donor, day],
            "pool": rules.released(pool, day) - committed,
        }
        open_room = [r for r in room.values() if r is not None]
        # Never over any bound ...
        assert all(a.amount <= r for r in open_room) or a.amount == 0
        # ... and never less than every bound allows: no gift refused while funds could cover it.
        assert a.amount == max(0, min(open_room))
        committed += a.amount
        by_project[project] += a.amount
        by_donor_day[donor, day] += a.amount
        assert committed <= rules.released(pool, day) <= pool.budget
    if pool.project_cap is not None:
        assert all(v <= pool.project_cap for v in by_project.values())
    if pool.donor_daily_cap is not None:
        assert all(v <= pool.donor_daily_cap for v in by_donor_day.values())
    assert committed <= pool.budget


@given(pool_rules(), seeds, st.lists(st.integers(1, 200_000), min_size=1, max_size=80))
def test_a_pool_is_spent_to_the_last_fen_when_gifts_keep_coming(pool, seed, amounts):
    """With no caps and all days released, gifts keep taking matches until the pool is empty."""
    pool = Rules(pool.budget, pool.min_bp, pool.max_bp, 1)
    stream = [(a, 0, i, 0, f"gift-{i}") for i, a in enumerate(amounts)]
    results = run(pool, seed, stream)
    spent = sum(a.amount for *_, a in results)
    wanted = sum(a.wanted for *_, a in results)
    assert spent == min(pool.budget, wanted)


@given(seeds, st.uuids().map(str), st.integers(1, 50_000), st.integers(0, 50_000))
def test_random_draws_are_deterministic_in_bounds_and_recomputable(seed, donation_id, low, span):
    pool = Rules(budget=100, min_bp=low, max_bp=min(rules.MAX_BP, low + span))
    bp = rules.draw_bp(pool, seed=seed, donation_id=donation_id)
    assert bp == rules.draw_bp(pool, seed=seed, donation_id=donation_id)
    assert pool.min_bp <= bp <= pool.max_bp
    # What an auditor runs, from the published seed and the donation id alone:
    digest = hmac.new(bytes.fromhex(seed), donation_id.encode(), hashlib.sha256).digest()
    assert bp == pool.min_bp + int.from_bytes(digest, "big") % (pool.max_bp - pool.min_bp + 1)
    assert rules.seed_hash(seed) == hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def test_fixed_ratio_ignores_the_seed_and_random_draws_spread():
    fixed = Rules(budget=100, min_bp=10_000, max_bp=10_000)
    assert {rules.draw_bp(fixed, seed="00" * 32, donation_id=str(i)) for i in range(50)} == {10_000}
    spread = Rules(budget=100, min_bp=5_000, max_bp=15_000)
    draws = {rules.draw_bp(spread, seed="ab" * 32, donation_id=str(i)) for i in range(200)}
    assert len(draws) > 150 and min(draws) >= 5_000 and max(draws) <= 15_000


@given(st.integers(0, 10**7), st.integers(1, 10**7), st.lists(st.integers(1, 10**6), max_size=20))
def test_refunds_return_the_match_in_proportion_exactly(match, gift, refunds):
    refunded, returned = 0, 0
    for r in refunds:
        if refunded + r > gift:
            break
        before = rules.kept_after_refunds(match=match, gift=gift, refunded=refunded)
        refunded += r
        after = rules.kept_after_refunds(match=match, gift=gift, refunded=refunded)
        assert 0 <= after <= before <= match
        returned += before - after
    assert returned == match - rules.kept_after_refunds(match=match, gift=gift, refunded=refunded)
    assert rules.kept_after_refunds(match=match, gift=gift, refunded=gift) == 0


def test_tranches_release_day_by_day_and_carry_over():
    pool = Rules(budget=1000, min_bp=10_000, max_bp=10_000, tranches=(500, 300, 200))
    assert [rules.released(pool, d) for d in (-1, 0, 1, 2, 3, 9)] == [0, 500, 800, 1000, 1000, 1000]
    first = rules.allocate(pool, gift=700, ratio_bp=10_000, day=0, usage=Usage())
    assert (first.amount, first.bound) == (500, "pool")
    second = rules.allocate(pool, gift=700, ratio_bp=10_000, day=1, usage=Usage(pool=500))
    assert (second.amount, second.bound) == (300, "pool")
    assert rules.allocate(pool, gift=99, ratio_bp=10_000, day=0, usage=Usage(pool=500)).amount == 0


def test_days_are_shanghai_days():
    start = datetime(2026, 9, 6, 16, 0, tzinfo=SHANGHAI)
    late = datetime(2026, 9, 6, 17, 0, tzinfo=UTC)  # 01:00 on the next Shanghai day
    assert rules.day_index(start, late) == 1
    assert rules.day_index(start, datetime(2026, 9, 6, 15, 59, tzinfo=UTC)) == 0
    assert rules.tranche_opening(start, 1).isoformat() == "2026-09-07T00:00:00+08:00"


@pytest.mark.parametrize(
    "changes,code",
    [
        ({"min_bp": 0, "max_bp": 0}, "invalid_ratio"),
        ({"min_bp": -5}, "invalid_ratio"),
        ({"min_bp": 20_000, "max_bp": 10_000}, "invalid_ratio"),
        ({"max_bp": rules.MAX_BP + 1}, "invalid_ratio"),
        ({"gift_cap": 500, "min_gift": 1000}, "cap_below_minimum"),
        ({"project_cap": 0}, "invalid_cap"),
        ({"budget": 0, "tranches": ()}, "invalid_budget"),
        ({"tranches": (500, 400)}, "invalid_tranches"),
        ({"tranches": (250, 250, 250, 250)}, "invalid_tranches"),  # four days in a three-day window
        ({"min_gift": 0}, "invalid_min_gift"),
    ],
)
def test_contradictory_rules_are_named(changes, code):
    fields = {"budget": 1000, "min_bp": 10_000, "max_bp": 10_000, "min_gift": 100, "tranches": (500, 500)} | changes
    assert code in rules.rule_problems(Rules(**fields), WINDOW)
    assert rules.rule_problems(Rules(budget=1000, min_bp=10_000, max_bp=10_000), WINDOW) == []


def test_window_ending_before_it_starts_is_named():
    backwards = Window(START, START - timedelta(hours=1))
    assert "invalid_window" in rules.rule_problems(Rules(budget=1, min_bp=1, max_bp=1), backwards)


def test_signals_hold_what_crosses_a_threshold():
    limits = Thresholds(account_gifts=3, device_gifts=3, network_gifts=5, burst_seconds=60, burst_gifts=4)
    assert rules.signals(Evidence(), limits) == []
    assert rules.signals(Evidence(device_gifts=2, network_gifts=4, account_gifts=2), limits) == []
    codes = [s["code"] for s in rules.signals(
        Evidence(own_member=True, org_identity=("device",), account_gifts=3, device_gifts=3, network_gifts=5,
                 seconds_after_opening=10, burst_gifts=4), limits)]
    assert codes == ["own_member", "org_identity", "repeat_account", "repeat_device", "repeat_network", "tranche_burst"]
    assert rules.signals(Evidence(seconds_after_opening=61, burst_gifts=50), limits) == []


@given(free=st.integers(-1000, 10**9), need=st.integers(-10, 10**6), share=st.integers(1, 64))
def test_a_chunk_never_exceeds_what_is_free_and_fits_the_gift_when_it_can(free, need, share):
    size = rules.chunk_size(free=free, need=need, share=share)
    if free <= 0 or need <= 0:
        assert size == 0
    else:
        assert 0 < size <= free
        assert size >= min(free, need * rules.CHUNK_GIFTS)  # room for a few such matches when free allows
