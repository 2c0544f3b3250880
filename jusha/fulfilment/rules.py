"""Pure decisions of fulfilment: whether a plan fits, how many batches the money covers,
which batches each gift paid for (first in, first out), deadlines and step durations."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta
from itertools import accumulate


def plan_refusal(*, unit_cost: int | None, batch_size, goal: int) -> str | None:
    """Why a batch plan cannot be used, as a code, or None.

    A batch must cost no more than the goal: the project promises to raise the goal and
    no more, so a larger batch might never be funded and the gifts would wait for ever.
    """
    if not unit_cost or unit_cost <= 0:
        return "unit_cost_missing"
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        return "invalid_batch_size"
    if unit_cost * batch_size > goal:
        return "batch_exceeds_goal"
    return None


def batches_due(*, available: int, batch_cost: int) -> int:
    """Whole batches the uncommitted funds cover."""
    return max(available, 0) // batch_cost if batch_cost > 0 else 0


def spans(costs: list[int]) -> list[int]:
    """Where each batch ends on the running total of gifts: [4000, 8000, …]."""
    return list(accumulate(costs))


def share(start: int, amount: int, ends: list[int]) -> list[tuple[int, int]]:
    """The part of the money [start, start + amount) of the running total of gifts that
    falls in each batch (`ends` from `spans`): [(batch index, amount), …], in order."""
    parts, position, stop = [], start, start + amount
    index = bisect_right(ends, position)
    while position < stop and index < len(ends):
        upto = min(stop, ends[index])
        parts.append((index, upto - position))
        position, index = upto, index + 1
    return parts


def fifo(gifts: list[int], costs: list[int]) -> list[list[tuple[int, int]]]:
    """First in, first out: gifts (net amounts, in the order they were paid) fill the
    batches (costs, in number order) one after the other. For each gift, its parts."""
    ends, result, start = spans(costs), [], 0
    for amount in gifts:
        result.append(share(start, amount, ends))
        start += amount
    return result


def deadline(status: str, since: datetime, days: dict[str, int]) -> datetime | None:
    """When the step after `status` is due (None when nothing more is due)."""
    return since + timedelta(days=days[status]) if status in days else None


def is_late(status: str, since: datetime, now: datetime, days: dict[str, int]) -> bool:
    due = deadline(status, since, days)
    return due is not None and now > due


def durations(times: list[datetime | None]) -> list[timedelta | None]:
    """How long each step took after the one before (None where either is missing)."""
    return [None] + [b - a if a and b else None for a, b in zip(times, times[1:])]
