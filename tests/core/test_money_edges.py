"""Money is shown and converted in one place: no hand-made yuan anywhere else.

Amounts are Money (jusha.core.money) from the services inward; forms parse typed yuan with
MoneyField, API schemas take integers of minor units beside a currency, and pages show
money with the one `money` filter (Money.display). So no code or template outside
core/money.py writes a currency symbol by hand or turns fen into yuan itself (`// 100`,
`/ 100`, `|floatformat`). A justified exception is listed below with its reason; a listed
exception that no longer matches anything fails too, so the list never goes stale.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "jusha", ROOT / "templates"]
SUFFIXES = {".py", ".html", ".txt", ".svg"}
HOME = Path("jusha/core/money.py")  # the symbols and the conversions live here

FORBIDDEN = {
    "currency symbol": re.compile(r"[¥￥]"),
    "fen to yuan by hand": re.compile(r"//\s*100\b|(?<![/*])/\s*100\b|divmod\([^)]*,\s*100\)"),
    "template arithmetic on money": re.compile(r"\|\s*(floatformat|divisibleby)\b"),
}

# (path, text on the line, why it is not money).
EXCEPTIONS = [
    ("jusha/social/posters.py", "width * bar // 100", "a percentage of the bar's width in pixels, not money"),
    ("jusha/social/templates/social/_figures.html", "relay.k|floatformat:1", "K is new donors per sharer, not money"),
]


def _files():
    for base in SCANNED:
        for path in sorted(base.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and "migrations" not in path.parts:
                yield path


def _excused(relative: str, line: str, used: set) -> bool:
    matching = {i for i, (path, text, _why) in enumerate(EXCEPTIONS) if relative == path and text in line}
    used |= matching
    return bool(matching)


def test_no_hand_made_money_outside_core_money():
    found, used = [], set()
    for path in _files():
        relative = path.relative_to(ROOT).as_posix()
        if Path(relative) == HOME:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for what, pattern in FORBIDDEN.items():
                if pattern.search(line) and not _excused(relative, line, used):
                    found.append(f"{relative}:{number}: {what}: {line.strip()}")
    assert not found, "show money with Money.display() or |money, convert with Money:\n" + "\n".join(found)
    stale = [EXCEPTIONS[i][:2] for i in range(len(EXCEPTIONS)) if i not in used]
    assert not stale, f"exceptions that no longer match anything, remove them: {stale}"


def test_the_check_finds_what_it_forbids():
    assert FORBIDDEN["currency symbol"].search('return f"¥{fen // 100}"')
    assert FORBIDDEN["fen to yuan by hand"].search("yuan = fen // 100")
    assert FORBIDDEN["fen to yuan by hand"].search("yuan = fen / 100")
    assert FORBIDDEN["fen to yuan by hand"].search("whole, cents = divmod(fen, 100)")
    assert FORBIDDEN["template arithmetic on money"].search("{{ gift.amount|floatformat:2 }}")
    assert not FORBIDDEN["fen to yuan by hand"].search("percent = raised * 100 // goal")
