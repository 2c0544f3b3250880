"""Pure decisions of one-to-one sponsorship (no database): contact details in a message,
age bands, which months are due, when a report is overdue or contact counts as lost, and
how a sponsorship's money splits into paid in, disbursed and held.

Contact details are refused, never silently removed: a relayed letter must say what the
writer wrote, so the writer is told exactly what to take out (`find_contact_details`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

# --- contact details ---------------------------------------------------------------------

PHONE, WECHAT, QQ, EMAIL, ADDRESS, LINK = "phone", "wechat", "qq", "email", "address", "link"

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖幺", "001234567891234567891")
# Characters people put between digits to slip a number past a filter.
_DIGIT_GAP = r"[ \t\-\.·_()（）]*"
_DIGITS = re.compile(r"\+?\d(?:" + _DIGIT_GAP + r"\d)+")
_WECHAT = re.compile(
    r"(?:微信号?|威信|薇信|v信|vx|wx|weixin|wechat|微\s*信)\s*(?:号|id)?\s*[:：是为]?\s*([a-z][-_a-z0-9]{5,19})",
    re.IGNORECASE,
)
_QQ = re.compile(r"(?:qq|扣扣|企鹅)\s*(?:号|群)?\s*[:：是为]?\s*(\d{5,12})", re.IGNORECASE)
_EMAIL = re.compile(r"[a-z0-9._%+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|cn|net|org)(?:/\S*)?\b", re.IGNORECASE)
_ADDRESS = re.compile(
    r"(?:"
    r"[\u4e00-\u9fff\w]{1,12}(?:路|街|大道|巷|弄|胡同)\s*\d+\s*(?:号|弄)"  # 人民路12号
    r"|\d+\s*(?:号楼|栋|幢|单元|室)"  # 3号楼, 2单元, 501室
    r"|[\u4e00-\u9fff]{1,12}(?:村|屯|组)\s*\d+\s*(?:号|组)"  # 张家村5组
    r"|[\u4e00-\u9fff]{2,12}(?:小区|花园|公寓|新村)"  # 阳光小区
    r"|(?:地址|住址|家住|住在)\s*[:：是在]?\s*[\u4e00-\u9fff\w]{2,}"  # 地址：……
    r"|\d+\s+[a-z]+(?:\s+[a-z]+)?\s+(?:street|st|road|rd|avenue|ave|lane|ln)\b"  # 12 Main Street
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    kind: str  # PHONE, WECHAT, QQ, EMAIL, ADDRESS, LINK
    text: str  # what the writer wrote (as written), to remove


def normalise(text: str) -> str:
    """Full-width letters and digits to ASCII (NFKC), Chinese numerals to digits: the
    forms people use to get a number past a filter."""
    return unicodedata.normalize("NFKC", text or "").translate(_CN_DIGITS)


def _is_phone(digits: str) -> bool:
    digits = digits.lstrip("+")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):  # mainland mobile
        return True
    if re.fullmatch(r"0\d{9,11}", digits):  # landline with its area code
        return True
    return len(digits) >= 11  # any longer run of digits could be a number too


def find_contact_details(text: str) -> list[Finding]:
    """Every phone number, WeChat or QQ id, e-mail, link or street address in `text`, as
    the writer wrote it, in order. Full-width and Chinese digits and digits split by spaces
    or dashes count as digits."""
    original = text or ""
    plain = normalise(original)
    found: list[tuple[int, Finding]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        # NFKC and the numeral table keep one character per character here, so the span
        # points into the original text too.
        snippet = original[start:end] if len(plain) == len(original) else plain[start:end]
        found.append((start, Finding(kind, snippet.strip())))

    for match in _EMAIL.finditer(plain):
        add(EMAIL, match.start(), match.end())
    for match in _LINK.finditer(plain):
        add(LINK, match.start(), match.end())
    for match in _WECHAT.finditer(plain):
        add(WECHAT, match.start(), match.end())
    for match in _QQ.finditer(plain):
        add(QQ, match.start(), match.end())
    for match in _DIGITS.finditer(plain):
        if _is_phone(re.sub(r"[^\d]", "", match.group())):
            add(PHONE, match.start(), match.end())
    for match in _ADDRESS.finditer(plain):
        add(ADDRESS, match.start(), match.end())
    return [finding for _start, finding in sorted(found, key=lambda pair: pair[0])]


# --- the beneficiary's public profile ------------------------------------------------------

AGE_BANDS = ((0, 5, "0-5"), (6, 11, "6-11"), (12, 14, "12-14"), (15, 17, "15-17"), (18, 22, "18-22"), (23, 200, "23+"))


def age_band(birth_year: int, today: date) -> str:
    """A band, never the age: enough to picture the child, too little to find them."""
    age = today.year - birth_year
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return ""


def province_of(region_code: str) -> str:
    """The province of a GB/T 2260 code: what a public profile shows."""
    return (region_code or "")[:2] + "0000" if region_code else ""


def county_of(region_code: str) -> str:
    """No finer than the county (the transparency log's limit): a code's first six digits."""
    return (region_code or "")[:6]


# --- months, reports and lost contact --------------------------------------------------------

def add_months(start: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has fewer)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError("no such date")


def months_between(start: date, on: date) -> int:
    """Calendar months from `start`'s month to `on`'s (0 in the same month)."""
    return (on.year - start.year) * 12 + on.month - start.month


def month_due_on(start: date, period: int) -> date:
    """Month `period` (1 = the first, charged at once) is due on this date."""
    return add_months(start, period - 1)


def months_due(*, start: date, months: int, paid_through: int, today: date) -> list[int]:
    """The months not yet paid whose due date has come, oldest first (never past the term)."""
    return [p for p in range(paid_through + 1, months + 1) if month_due_on(start, p) <= today]


UNPAID_GRACE_DAYS = 8  # a monthly charge is retried for a week (+1, +3, +7 days) before it counts as not paid
UNPAID_MONTHS_PAUSE = 3  # months in a row not paid before the sponsorship pauses and the donor is asked


def months_unpaid(*, start: date, months: int, paid_through: int, today: date) -> int:
    """Months due (past the retry days) and not paid, in a row from the last one paid."""
    return len(months_due(start=start, months=months, paid_through=paid_through,
                          today=today - timedelta(days=UNPAID_GRACE_DAYS)))


def term_end(start: date, months: int) -> date:
    return add_months(start, months)


@dataclass(frozen=True)
class ReportState:
    overdue: bool  # past its due date: flagged to the organisation, shown to the donor
    lost_contact: bool  # past the threshold too: a follow-up case opens
    days_late: int


def report_state(*, due_on: date | None, today: date, lost_contact_after_days: int) -> ReportState:
    if due_on is None or today <= due_on:
        return ReportState(False, False, 0)
    late = (today - due_on).days
    return ReportState(True, late > lost_contact_after_days, late)


def next_report_due(last_due: date, every_days: int) -> date:
    return last_due + timedelta(days=every_days)


# --- money ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    paid_in: int  # paid gifts of the sponsorship's months, net of what was refunded to the donor
    fee: int  # what the payment provider kept of those gifts (net of what it gave back): borne by the sponsorship
    disbursed: int  # paid out to the school or guardian, with vouchers
    redirected: int  # handed back to the programme's general fund by the donor's choice
    held: int  # still in the sponsorship's account

    def as_dict(self) -> dict[str, int]:
        return {"paid_in": self.paid_in, "fee": self.fee, "disbursed": self.disbursed, "redirected": self.redirected,
                "held": self.held}


def figures(*, earmarked: int, refunded: int, disbursed: int, redirected: int, fee: int = 0) -> Figures:
    """`earmarked`: the months' gifts, gross; `refunded`: what of them went back to the
    donor; `fee`: what the provider kept of them and has not given back."""
    paid_in = earmarked - refunded
    return Figures(paid_in=paid_in, fee=fee, disbursed=disbursed, redirected=redirected,
                   held=paid_in - fee - disbursed - redirected)


def refund_plan(payments: list[tuple[str, int]], amount: int) -> list[tuple[str, int]]:
    """Which gifts give back `amount`: (reference, still held from it), newest first, so the
    months refunded are the latest ones. Returns (reference, amount to refund) pairs."""
    plan, left = [], amount
    for reference, held in payments:
        if left <= 0:
            break
        take = min(held, left)
        if take > 0:
            plan.append((reference, take))
            left -= take
    if left > 0:
        raise ValueError("the gifts do not hold that much")
    return plan
