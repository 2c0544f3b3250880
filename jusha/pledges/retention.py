"""Retention arithmetic (pure, no database): does giving come back? Gifts arrive as
(donor key, local date) pairs; pledges as their start and cancel dates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

REPEAT_WINDOW = timedelta(days=365)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(today: date, n: int) -> list[str]:
    """The last `n` months, oldest first, ending with today's."""
    year, month = today.year, today.month
    keys = []
    for _ in range(n):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _offset(a: str, b: str) -> int:
    return (int(b[:4]) - int(a[:4])) * 12 + int(b[5:]) - int(a[5:])


@dataclass
class Retention:
    donors: int = 0
    gifts: int = 0
    repeat_donors: int = 0  # gave again within 12 months of their first gift
    observable_donors: int = 0  # whose first gift is 12 months old (the rate's denominator when > 0)
    cohorts: list[dict] = field(default_factory=list)  # [{"month", "donors", "retained": [share 0..1 or None]}]
    pledges_active: int = 0
    churn: list[dict] = field(default_factory=list)  # [{"month", "active_at_start", "cancelled", "rate"}]

    @property
    def repeat_rate(self) -> float | None:
        """Share of donors who gave again within 12 months of their first gift. Counted over
        the donors whose first gift is at least 12 months old when there are any (their 12
        months are complete); else over every donor so far (a young platform: a lower bound)."""
        base = self.observable_donors or self.donors
        if not base:
            return None
        repeat = self.repeat_observable if self.observable_donors else self.repeat_donors
        return repeat / base

    repeat_observable: int = 0

    @property
    def gifts_per_donor(self) -> float | None:
        return self.gifts / self.donors if self.donors else None

    @property
    def gifts_per_donor_text(self) -> str:
        """Gifts per donor with one decimal, for pages ("—" when there are no donors yet)."""
        value = self.gifts_per_donor
        return "—" if value is None else f"{value:.1f}"

    @property
    def monthly_churn(self) -> float | None:
        """Cancelled pledges over pledges active at each month's start, over the months shown."""
        start = sum(c["active_at_start"] for c in self.churn)
        return sum(c["cancelled"] for c in self.churn) / start if start else None

    def as_dict(self) -> dict:
        return {
            "donors": self.donors, "gifts": self.gifts, "repeat_donors": self.repeat_donors,
            "repeat_rate": _round(self.repeat_rate), "gifts_per_donor": _round(self.gifts_per_donor),
            "cohorts": [{**c, "retained": [_round(v) for v in c["retained"]]} for c in self.cohorts],
            "pledges_active": self.pledges_active, "pledge_churn": _round(self.monthly_churn),
            "churn_by_month": [{**c, "rate": _round(c["rate"])} for c in self.churn],
        }


def _round(value):
    return None if value is None else round(value, 4)


def retention(*, gifts, pledges=(), today: date, months: int = 12) -> Retention:
    """`gifts`: (donor key, date) of every paid gift in scope; `pledges`: (created date,
    cancelled date or None). The cohort table: for each of the last `months` months, the
    donors whose FIRST gift fell in it, and the share of them who gave in each month after
    (month 0 is 1 by definition; None where that month has not come yet)."""
    by_donor: dict[str, list[date]] = defaultdict(list)
    for key, day in gifts:
        by_donor[key].append(day)
    result = Retention(donors=len(by_donor), gifts=sum(len(days) for days in by_donor.values()))
    horizon = today - REPEAT_WINDOW
    shown = months_back(today, months)
    cohort_donors: dict[str, list[set[str]]] = {m: [set() for _ in range(months)] for m in shown}
    cohort_size: dict[str, int] = defaultdict(int)
    for key, days in by_donor.items():
        days.sort()
        first = days[0]
        again = len(days) > 1 and days[1] - first <= REPEAT_WINDOW
        result.repeat_donors += again
        if first <= horizon:
            result.observable_donors += 1
            result.repeat_observable += again
        cohort = month_key(first)
        if cohort in cohort_donors:
            cohort_size[cohort] += 1
            for day in days:
                k = _offset(cohort, month_key(day))
                if 0 <= k < months:
                    cohort_donors[cohort][k].add(key)
    current = month_key(today)
    for month in shown:
        size = cohort_size[month]
        reach = _offset(month, current)
        retained = [(len(cohort_donors[month][k]) / size if size else None) if k <= reach else None for k in range(months)]
        result.cohorts.append({"month": month, "donors": size, "retained": retained})
    pledges = list(pledges)
    for month in shown:
        start = date(int(month[:4]), int(month[5:]), 1)
        end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        active = sum(1 for made, cancelled in pledges if made < start and (cancelled is None or cancelled >= start))
        gone = sum(1 for made, cancelled in pledges if cancelled is not None and start <= cancelled < end and made < start)
        result.churn.append({"month": month, "active_at_start": active, "cancelled": gone, "rate": gone / active if active else None})
    result.pledges_active = sum(1 for _made, cancelled in pledges if cancelled is None)
    return result
