"""Pure rules of the real providers: amounts as the providers write them, fees at a
contracted rate, which pay page suits a device, and the providers' statements read into
one shape (Alipay 账单 CSV, WeChat Pay 交易账单, Stripe balance transactions). No Django (core's
Money only)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from jusha.core.money import Money, MoneyError


class StatementError(ValueError):
    """The file is not a statement of this provider (nothing read from it)."""


def out_trade_no(reference: str) -> str:
    """The provider's merchant order number for a gift: its id in hex, without dashes."""
    return uuid.UUID(str(reference)).hex


def reference_of(number: str) -> str:
    """The gift's (or refund's) id back from a merchant order number."""
    return str(uuid.UUID(hex=number))


def yuan(fen: int) -> str:
    """Minor units as the providers' amount strings: 1234 → "12.34"."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise ValueError("an amount is a non-negative integer of minor units")
    return Money(fen, "CNY").major()


def fen(text: str, currency: str = "CNY") -> int:
    """A provider's amount string in major units ("12.34", "-0.06", "1,234.50", WeChat Pay's
    "`0.30000") → minor units, exact. Refuses fractions of a fen (a corrupt line)."""
    cleaned = str(text).strip().lstrip("`").strip()
    negative = cleaned.startswith("-")
    try:
        amount = Money.parse(cleaned.lstrip("+-"), currency).amount
    except MoneyError as exc:
        raise ValueError(f"not an amount: {text!r} ({exc})") from exc
    return -amount if negative else amount


def fee_at_rate(amount: int, bps: int) -> int:
    """The provider's fee at a contracted rate in basis points, rounded half up to the fen
    (how Alipay and WeChat Pay charge their 服务费/手续费 per payment)."""
    return int((Decimal(amount) * bps / Decimal(10000)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


MOBILE = re.compile(r"Mobile|Android|iPhone|iPad|iPod|HarmonyOS|MicroMessenger", re.I)


def channel_for(user_agent: str) -> str:
    """"mobile" (Alipay wap pay, WeChat H5 pay) or "desktop" (Alipay page pay, a WeChat QR code)."""
    return "mobile" if MOBILE.search(user_agent or "") else "desktop"


# --- statements ------------------------------------------------------------------

PAYMENT = "payment"
REFUND = "refund"


@dataclass(frozen=True)
class Line:
    """One line of a provider's statement, in one shape for every provider."""

    number: int  # the line's number in the file (1-based), for the report
    kind: str  # PAYMENT or REFUND
    out_trade_no: str  # the merchant order number: the gift's id in hex
    amount: int  # minor units, positive: paid, or refunded
    fee: int  # minor units the provider kept (a payment) or gave back (a refund); >= 0
    currency: str
    provider_id: str  # the provider's own transaction or refund number
    refund_reference: str = ""  # the merchant's refund number (out_request_no / out_refund_no)
    when: datetime | None = None


@dataclass(frozen=True)
class BadLine:
    number: int
    reason: str


@dataclass
class Statement:
    provider: str
    lines: list[Line]
    bad: list[BadLine]
    day: date | None = None  # the day the statement covers, when it says


def decode(data: bytes) -> str:
    """A statement's text: UTF-8 (with or without a BOM), else GB18030 (Alipay's download
    and any file saved by a spreadsheet on a Chinese Windows)."""
    return decode_cut(data)[0]


def decode_cut(data: bytes) -> tuple[str, bool]:
    """The text, and whether the file ends in the middle of a character (a download or a
    copy cut short): then the bytes of that last character are dropped, and the caller
    does not read the line they end (it is cut too). Without this, a UTF-8 file cut in
    the middle of a Chinese character would not be UTF-8 and would be read as GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), False
        except UnicodeDecodeError as exc:
            if exc.end >= len(data) and exc.start >= len(data) - 3:  # only the last character is incomplete
                try:
                    return data[:exc.start].decode(encoding), True
                except UnicodeDecodeError:
                    pass
            continue
    raise StatementError("the file is neither UTF-8 nor GB18030 text")


CUT = "the file ends in the middle of this line (cut off): not read"


def _drop_cut_line(lines: list, bad: list, last_row: int | None) -> None:
    """The last row of a file that ends mid-line is not read: flagged instead."""
    if last_row is None:
        return
    for i, line in enumerate(lines):
        if line.number == last_row:
            del lines[i]
            break
    if not any(item.number == last_row for item in bad):
        bad.append(BadLine(last_row, CUT))


def _cell(value: str) -> str:
    return (value or "").strip().lstrip("`").strip()


HEX_ID = re.compile(r"\b([0-9a-f]{32})\b")


def _datetime(text: str) -> datetime | None:
    text = _cell(text)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _rows(text: str, header_first: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header row (the first whose first cell starts with `header_first`) and the data
    rows after it, with their line numbers; comment lines (#…) and blank lines skipped."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, row in enumerate(reader, start=1):
        cells = [_cell(c) for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            if cells[0].startswith(header_first):
                header = cells
            continue
        rows.append((number, cells))
    if header is None:
        raise StatementError(f"no header row starting with “{header_first}”")
    return header, rows


def _column(header: list[str], *names: str) -> int:
    for name in names:
        for i, cell in enumerate(header):
            if cell.startswith(name):
                return i
    raise StatementError(f"the statement has no column “{names[0]}”")


ALIPAY_DAY = re.compile(r"起始日期[：:]\s*\[?(\d{4})年(\d{2})月(\d{2})日")


def parse_alipay(data: bytes) -> Statement:
    """Alipay's 账单 (业务明细, CSV as downloaded: GB18030, `#` comment lines around it)."""
    text, cut = decode_cut(data)
    header, rows = _rows(text, "支付宝交易号")
    col = {
        "trade_no": _column(header, "支付宝交易号"), "out_trade_no": _column(header, "商户订单号"),
        "type": _column(header, "业务类型"), "finished": _column(header, "完成时间", "创建时间"),
        "amount": _column(header, "订单金额"), "refund_no": _column(header, "退款批次号"),
        "fee": _column(header, "服务费"),
    }
    lines, bad = [], []
    for number, cells in rows:
        if cells[0].startswith(("交易合计", "退款合计", "导出时间")):
            continue
        if len(cells) < len(header) - 1:  # the trailing 备注 may be cut off by an exporter
            bad.append(BadLine(number, "truncated line"))
            continue
        business = cells[col["type"]]
        kind = {"交易": PAYMENT, "退款": REFUND}.get(business)
        if kind is None:
            continue  # 其他 (fee statements, transfers): not a gift
        try:
            amount = abs(fen(cells[col["amount"]]))
            fee = abs(fen(cells[col["fee"]] or "0"))
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        lines.append(Line(
            number=number, kind=kind, out_trade_no=cells[col["out_trade_no"]], amount=amount, fee=fee, currency="CNY",
            provider_id=cells[col["trade_no"]], refund_reference=cells[col["refund_no"]] if kind == REFUND else "",
            when=_datetime(cells[col["finished"]]),
        ))
    if "业务明细列表结束" not in text:  # Alipay closes every 业务明细 with this line: the file is cut off
        last = rows[-1][0] if rows else None
        if cut or not text.endswith(("\n", "\r")):
            _drop_cut_line(lines, bad, last)
        bad.append(BadLine((last or 0) + 1, "the statement ends before its closing line (cut off)"))
    found = ALIPAY_DAY.search(text)
    day = date(int(found[1]), int(found[2]), int(found[3])) if found else None
    return Statement("alipay", lines, bad, day)


def parse_wechatpay(data: bytes) -> Statement:
    """WeChat Pay's 交易账单 (v3 tradebill, bill_type ALL: every cell prefixed with a backtick,
    a summary block after the rows)."""
    text, cut = decode_cut(data)
    header, rows = _rows(text, "交易时间")
    col = {
        "time": _column(header, "交易时间"), "transaction_id": _column(header, "微信订单号"),
        "out_trade_no": _column(header, "商户订单号"), "state": _column(header, "交易状态"),
        "currency": _column(header, "货币种类"), "amount": _column(header, "订单金额"),
        "refund_id": _column(header, "微信退款单号"), "out_refund_no": _column(header, "商户退款单号"),
        "refunded": _column(header, "退款金额"), "fee": _column(header, "手续费"),
    }
    lines, bad = [], []
    summary: list[str] | None = None
    read = 0  # rows before the summary
    for i, (number, cells) in enumerate(rows):
        if cells[0].startswith("总交易单数"):
            summary = rows[i + 1][1] if i + 1 < len(rows) else []
            break  # the summary block
        read += 1
        if len(cells) < len(header):
            bad.append(BadLine(number, "truncated line"))
            continue
        state = cells[col["state"]]
        try:
            fee = abs(fen(cells[col["fee"]] or "0"))
            if state == "SUCCESS":
                kind, amount = PAYMENT, fen(cells[col["amount"]])
            elif state == "REFUND":
                kind, amount = REFUND, abs(fen(cells[col["refunded"]]))
            else:
                continue  # REVOKED and the like: no money moved
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        lines.append(Line(
            number=number, kind=kind, out_trade_no=cells[col["out_trade_no"]], amount=amount, fee=fee,
            currency=(cells[col["currency"]] or "CNY").upper(),
            provider_id=cells[col["refund_id"]] if kind == REFUND else cells[col["transaction_id"]],
            refund_reference=cells[col["out_refund_no"]] if kind == REFUND else "",
            when=_datetime(cells[col["time"]]),
        ))
    last = rows[read - 1][0] if read else None
    if summary is None:
        if cut or (not text.endswith(("\n", "\r")) and last is not None):
            _drop_cut_line(lines, bad, last)
        bad.append(BadLine((last or 0) + 1, "the statement ends before its summary (总交易单数): cut off"))
    else:
        try:
            expected = int(summary[0]) if summary else None
        except ValueError:
            expected = None
        if expected is None:
            bad.append(BadLine((last or 0) + 2, "the summary's 总交易单数 cannot be read (cut off)"))
        elif expected != read:
            bad.append(BadLine((last or 0) + 2, f"the summary counts {expected} lines, the statement has {read}"))
    days = {line.when.date() for line in lines if line.when}
    return Statement("wechatpay", lines, bad, days.pop() if len(days) == 1 else None)


def parse_stripe(data: bytes) -> Statement:
    """Stripe's balance transactions (Dashboard → Balances → Export, or the balance report):
    `id, Type, Source, Amount, Fee, Net, Currency, Created (UTC), …, Description` and, when
    exported, `payment_metadata[jusha_donation]`."""
    text, cut = decode_cut(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [c.strip() for c in next(reader)]
    except StopIteration as exc:
        raise StatementError("the file is empty") from exc
    lower = [h.lower() for h in header]
    try:
        col = {k: lower.index(k) for k in ("id", "type", "amount", "fee", "currency")}
    except ValueError as exc:
        raise StatementError("not a Stripe balance transactions export (id, Type, Amount, Fee, Currency)") from exc
    created = next((i for i, h in enumerate(lower) if h.startswith("created")), None)
    description = lower.index("description") if "description" in lower else None
    meta = next((i for i, h in enumerate(lower) if h.endswith("[jusha_donation]")), None)
    refund_meta = next((i for i, h in enumerate(lower) if h.endswith("[jusha_refund]")), None)
    lines, bad = [], []
    last = None
    for number, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        last = number
        if len(row) < len(header):
            bad.append(BadLine(number, "truncated line"))
            continue
        kind = {"charge": PAYMENT, "payment": PAYMENT, "refund": REFUND, "payment_refund": REFUND}.get(row[col["type"]].strip())
        if kind is None:
            continue  # payouts, Stripe's own fees, adjustments
        number_hex = (row[meta].strip() if meta is not None else "") or next(
            iter(HEX_ID.findall(row[description] if description is not None else "")), "")
        try:
            amount, fee = abs(fen(row[col["amount"]])), abs(fen(row[col["fee"]] or "0"))
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        lines.append(Line(
            number=number, kind=kind, out_trade_no=number_hex, amount=amount, fee=fee,
            currency=row[col["currency"]].strip().upper(), provider_id=row[col["id"]].strip(),
            refund_reference=(row[refund_meta].strip() if refund_meta is not None else "") if kind == REFUND else "",
            when=_datetime(row[created]) if created is not None else None,
        ))
    if cut or (last is not None and not text.endswith(("\n", "\r"))):
        _drop_cut_line(lines, bad, last)  # an export ends each line, the last too
    days = {line.when.date() for line in lines if line.when}
    return Statement("stripe", lines, bad, days.pop() if len(days) == 1 else None)


PARSERS = {"alipay": parse_alipay, "wechatpay": parse_wechatpay, "stripe": parse_stripe}
