"""Pure rules of monthly giving: dates, periods, retries."""

from __future__ import annotations

from datetime import date, timedelta

RETRY_DAYS = (1, 3, 7)  # after a failed charge: retried this many days after the scheduled date
MIN_DAY, MAX_DAY = 1, 28  # every month has a 28th


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _in_month(year: int, month: int, day: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, day)


def first_charge_date(*, today: date, day: int) -> date:
    """The first charge: this month's `day` if it has not passed yet, else next month's."""
    if today.day <= day:
        return date(today.year, today.month, day)
    return _in_month(today.year, today.month + 1, day)


def next_charge_date(*, scheduled: date, day: int) -> date:
    """The charge after the one scheduled for `scheduled`: `day` of the following month."""
    return _in_month(scheduled.year, scheduled.month + 1, day)


def catch_up(*, scheduled: date, day: int, today: date) -> date:
    """A charge date from a month already past (the pledge was paused, the worker stopped):
    the months missed are never charged; this month's `day` is the one to charge (now, if
    it has come; else on it)."""
    if period_of(scheduled) >= period_of(today):
        return scheduled
    return date(today.year, today.month, day)


def retry_date(*, scheduled: date, attempts: int) -> date | None:
    """When to try again after `attempts` failed attempts (None: no more retries)."""
    if attempts < 1 or attempts > len(RETRY_DAYS):
        return None
    return scheduled + timedelta(days=RETRY_DAYS[attempts - 1])
