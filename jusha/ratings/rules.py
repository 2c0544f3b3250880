"""The rating's arithmetic: pure, no database. Each indicator turns what an organisation
did on the platform (a `Record` gathered by selectors.py) into a value in its own unit and
a score from 0 to 100; the score is their weighted mean; the grade is a band of it.

Every share and median that adds up spending is weighted by money, never by the number of
records: splitting one expenditure into ten changes none of them (the gaming the method
page names). Indicators without data are "not applicable" and their weight is shared among
the others, except the ones an organisation could dodge by doing less (spending
disclosure, answering reports): those have data as soon as there is anything to count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

METHOD_VERSION = 1
MIN_DAYS = 90  # of record (since the first project was published) before any grade
MIN_SPENDING = 1  # at least one disclosed expenditure

# FTI-like bands (China's Foundation Transparency Index grades A+ at 95 and above).
BANDS: list[tuple[int, str]] = [(95, "A+"), (85, "A"), (75, "B+"), (60, "B"), (0, "C")]

WEIGHTS: dict[str, int] = {
    "disclosure_timeliness": 15,
    "completeness": 15,
    "traceability": 10,
    "execution": 15,
    "programme_ratio": 10,
    "responsiveness": 10,
    "donor_feedback": 10,
    "upheld_reports": 10,
    "verification": 5,
    "record_length": 5,
}

TIMELY_DAYS, LATE_DAYS = 7, 90  # a median within a week scores 100, three months or more 0
ANSWER_HOURS_FULL, ANSWER_HOURS_ZERO = 48, 30 * 24
FEEDBACK_PRIOR_MEAN, FEEDBACK_PRIOR_WEIGHT = 3.0, 5  # a few ratings move the score a little
UPHELD_PENALTY = 40  # points per upheld report
UPHELD_CAP = 59.0  # and any upheld report caps the score: grade C, whatever the rest says
RECORD_FULL_DAYS = 730
RATIO_FULL, RATIO_ZERO = 0.9, 0.3


@dataclass(frozen=True)
class Spend:
    amount: int  # minor units
    spent_on: date
    disclosed_at: datetime
    has_voucher: bool
    logged: bool  # its fact is in the public log (sequenced)


@dataclass(frozen=True)
class Line:
    amount: int
    reported: bool  # at least one expenditure against it


@dataclass(frozen=True)
class BatchRecord:
    cost: int
    on_time: bool


@dataclass
class Record:
    now: datetime
    first_published: datetime | None = None
    spends: list[Spend] = field(default_factory=list)
    journal_out: int = 0  # expenditure entries in the journal (minor units)
    lines: list[Line] = field(default_factory=list)  # budget lines of projects that spend
    projects_due: int = 0  # projects that should have delivered by now
    projects_completed: int = 0  # of those, completed with a final report
    batches: list[BatchRecord] = field(default_factory=list)
    raised_closed: int = 0  # net raised by projects past fundraising
    spent_closed: int = 0  # spent by those projects
    answer_hours: list[float] = field(default_factory=list)  # reports: to the organisation's answer
    other_hours: list[float] = field(default_factory=list)  # sightings, lost-contact cases (other apps)
    feedback: list[int] = field(default_factory=list)  # 1..5 after delivery
    upheld: int = 0
    verified: bool = False
    qualified: bool = False
    steps_approved: int = 0
    steps_total: int = 5


@dataclass(frozen=True)
class Indicator:
    key: str
    score: float | None  # 0..100, None: not applicable
    value: float | None  # in the indicator's own unit (days, share, hours, stars, count)
    unit: str
    weight: int
    detail: dict = field(default_factory=dict)


def clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def linear(x: float, full: float, zero: float) -> float:
    """100 at `full`, 0 at `zero`, straight between (either direction)."""
    if full == zero:
        return 100.0
    return clamp(100.0 * (x - zero) / (full - zero))


def weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    """The value below which half of the weight lies (weights: money). Splitting one item
    into many with the same value leaves it unchanged."""
    pairs = sorted((v, w) for v, w in pairs if w > 0)
    total = sum(w for _v, w in pairs)
    if not total:
        return None
    running = 0
    for value, weight in pairs:
        running += weight
        if running * 2 >= total:
            return float(value)
    return float(pairs[-1][0])


def median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def disclosure_timeliness(r: Record) -> Indicator:
    days = weighted_median([(max((s.disclosed_at.date() - s.spent_on).days, 0), s.amount) for s in r.spends])
    score = None if days is None else linear(days, TIMELY_DAYS, LATE_DAYS)
    return Indicator("disclosure_timeliness", score, days, "days", WEIGHTS["disclosure_timeliness"])


def completeness(r: Record) -> Indicator:
    spent = sum(s.amount for s in r.spends)
    vouchered = share(sum(s.amount for s in r.spends if s.has_voucher), spent)
    lines = share(sum(line.amount for line in r.lines if line.reported), sum(line.amount for line in r.lines))
    parts = [p for p in (vouchered, lines) if p is not None]
    value = None if not parts else sum(parts) / len(parts)
    return Indicator("completeness", None if value is None else clamp(100 * value), value, "share",
                     WEIGHTS["completeness"], {"vouchered": vouchered, "lines_reported": lines})


def traceability(r: Record) -> Indicator:
    value = share(min(sum(s.amount for s in r.spends if s.logged), r.journal_out), r.journal_out)
    return Indicator("traceability", None if value is None else clamp(100 * value), value, "share",
                     WEIGHTS["traceability"])


def execution(r: Record) -> Indicator:
    completed = share(r.projects_completed, r.projects_due)
    on_time = share(sum(b.cost for b in r.batches if b.on_time), sum(b.cost for b in r.batches))
    parts = [p for p in (completed, on_time) if p is not None]
    value = None if not parts else sum(parts) / len(parts)
    return Indicator("execution", None if value is None else clamp(100 * value), value, "share",
                     WEIGHTS["execution"], {"completed": completed, "batches_on_time": on_time})


def programme_ratio(r: Record) -> Indicator:
    value = share(r.spent_closed, r.raised_closed)
    value = None if value is None else min(value, 1.0)
    score = None if value is None else linear(value, RATIO_FULL, RATIO_ZERO)
    return Indicator("programme_ratio", score, value, "share", WEIGHTS["programme_ratio"])


def responsiveness(r: Record) -> Indicator:
    hours = median(r.answer_hours + r.other_hours)
    score = None if hours is None else linear(hours, ANSWER_HOURS_FULL, ANSWER_HOURS_ZERO)
    return Indicator("responsiveness", score, hours, "hours", WEIGHTS["responsiveness"],
                     {"reports": len(r.answer_hours), "others": len(r.other_hours)})


def donor_feedback(r: Record) -> Indicator:
    if not r.feedback:
        return Indicator("donor_feedback", None, None, "stars", WEIGHTS["donor_feedback"], {"ratings": 0})
    n = len(r.feedback)
    shrunk = (sum(r.feedback) + FEEDBACK_PRIOR_MEAN * FEEDBACK_PRIOR_WEIGHT) / (n + FEEDBACK_PRIOR_WEIGHT)
    return Indicator("donor_feedback", clamp((shrunk - 1) * 25), sum(r.feedback) / n, "stars",
                     WEIGHTS["donor_feedback"], {"ratings": n, "shrunk": shrunk})


def upheld_reports(r: Record) -> Indicator:
    return Indicator("upheld_reports", clamp(100 - UPHELD_PENALTY * r.upheld), float(r.upheld), "count",
                     WEIGHTS["upheld_reports"])


def verification(r: Record) -> Indicator:
    steps = share(r.steps_approved, r.steps_total) or 0.0
    score = (50 if r.verified else 0) + (20 if r.qualified else 0) + 30 * steps
    return Indicator("verification", clamp(score), score, "points", WEIGHTS["verification"],
                     {"verified": r.verified, "qualified": r.qualified, "steps": r.steps_approved})


def record_days(r: Record) -> int:
    return 0 if r.first_published is None else max((r.now - r.first_published).days, 0)


def record_length(r: Record) -> Indicator:
    days = record_days(r)
    return Indicator("record_length", linear(days, RECORD_FULL_DAYS, 0), float(days), "days", WEIGHTS["record_length"])


INDICATORS = (disclosure_timeliness, completeness, traceability, execution, programme_ratio, responsiveness,
              donor_feedback, upheld_reports, verification, record_length)


def indicators(r: Record) -> list[Indicator]:
    return [f(r) for f in INDICATORS]


def score_of(items: list[Indicator]) -> float:
    """The weighted mean of the indicators that apply (their weights renormalised), capped
    at UPHELD_CAP while a report upheld in the last two years stands: broken trust is not
    averaged away by punctual paperwork."""
    applicable = [i for i in items if i.score is not None]
    total = sum(i.weight for i in applicable)
    score = round(sum(i.score * i.weight for i in applicable) / total, 1) if total else 0.0
    if any(i.key == "upheld_reports" and i.value for i in items):
        score = min(score, UPHELD_CAP)
    return score


def grade_of(score: float) -> str:
    for floor, grade in BANDS:
        if score >= floor:
            return grade
    return BANDS[-1][1]


def enough_history(r: Record) -> bool:
    return record_days(r) >= MIN_DAYS and len(r.spends) >= MIN_SPENDING


def gains(items: list[Indicator]) -> list[tuple[str, float]]:
    """(indicator, points the score would gain if it reached 100), largest first: what would
    raise the score. Indicators without data count as what they would add once they apply."""
    applicable = [i for i in items if i.score is not None]
    total = sum(i.weight for i in applicable) or 1
    out = [(i.key, round((100 - i.score) * i.weight / total, 1)) for i in applicable if i.score < 100]
    return sorted((g for g in out if g[1] > 0), key=lambda g: -g[1])


def grade_css(grade: str) -> str:
    """A class-name form of a grade ("A+" -> "a-plus")."""
    return grade.lower().replace("+", "-plus")
