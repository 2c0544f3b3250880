"""The pure decisions of fulfilment, without a database."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jusha.fulfilment import rules

DAYS = {"created": 7, "purchasing": 14, "shipped": 14, "delivered": 7}
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "unit_cost,batch_size,goal,code",
    [
        (None, 10, 100_000, "unit_cost_missing"),
        (0, 10, 100_000, "unit_cost_missing"),
        (-200, 10, 100_000, "unit_cost_missing"),
        (20_000, 0, 100_000, "invalid_batch_size"),
        (20_000, -5, 100_000, "invalid_batch_size"),
        (20_000, True, 100_000, "invalid_batch_size"),
        (20_000, 2.5, 100_000, "invalid_batch_size"),
        (20_000, 6, 100_000, "batch_exceeds_goal"),  # 120,000 > the goal: might never be funded
        (20_000, 5, 100_000, None),  # exactly the goal fits
        (20_000, 1, 100_000, None),
    ],
)
def test_plan_refusal(unit_cost, batch_size, goal, code):
    assert rules.plan_refusal(unit_cost=unit_cost, batch_size=batch_size, goal=goal) == code


@pytest.mark.parametrize(
    "available,cost,due", [(0, 400, 0), (399, 400, 0), (400, 400, 1), (1_250, 400, 3), (-5, 400, 0), (5, 0, 0)]
)
def test_batches_due(available, cost, due):
    assert rules.batches_due(available=available, batch_cost=cost) == due


def test_fifo_fills_batches_in_order():
    # Batches of 100 and 100; gifts 30, 90, 50, 40 (paid in that order).
    assert rules.fifo([30, 90, 50, 40], [100, 100]) == [
        [(0, 30)],
        [(0, 70), (1, 20)],
        [(1, 50)],
        [(1, 30)],  # the last 10 is not in any batch yet
    ]
    assert rules.fifo([500], [100, 100, 100]) == [[(0, 100), (1, 100), (2, 100)]]
    assert rules.fifo([10, 20], []) == [[], []]
    assert rules.share(250, 10, rules.spans([100, 100])) == []  # beyond the last batch


@given(
    gifts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40),
    costs=st.lists(st.integers(min_value=1, max_value=20_000), max_size=10),
)
def test_fifo_invariants(gifts, costs):
    parts = rules.fifo(gifts, costs)
    assert len(parts) == len(gifts)
    per_batch = [0] * len(costs)
    last = 0
    for amount, gift_parts in zip(gifts, parts):
        assert sum(p for _i, p in gift_parts) <= amount  # no gift gives more than it is
        for index, part in gift_parts:
            assert part > 0
            assert index >= last  # batches are filled in order
            last = index
            per_batch[index] += part
    assert all(filled <= cost for filled, cost in zip(per_batch, costs))  # no batch overfilled
    # Every fen goes into a batch until the batches or the gifts run out.
    assert sum(per_batch) == min(sum(gifts), sum(costs))
    # Only the last batch touched may be short.
    touched = [i for i, filled in enumerate(per_batch) if filled]
    assert all(per_batch[i] == costs[i] for i in touched[:-1])


def test_deadlines_and_lateness():
    assert rules.deadline("shipped", T0, DAYS) == T0 + timedelta(days=14)
    assert rules.deadline("disclosed", T0, DAYS) is None
    assert not rules.is_late("created", T0, T0 + timedelta(days=7), DAYS)
    assert rules.is_late("created", T0, T0 + timedelta(days=7, seconds=1), DAYS)
    assert not rules.is_late("disclosed", T0, T0 + timedelta(days=999), DAYS)


def test_durations():
    a, b, c = T0, T0 + timedelta(seconds=3), T0 + timedelta(days=2)
    assert rules.durations([a, b, None, c]) == [None, timedelta(seconds=3), None, None]
    assert rules.durations([a, b, c]) == [None, timedelta(seconds=3), c - b]
