"""Text normalisation for risk scoring: one pure function, fast enough for the stream.

Traditional → Simplified uses OpenCC's own character table (TSCharacters, shipped in the
`opencc-python-reimplemented` wheel) applied with `str.translate`: one pass in C, so 1.6
million comments normalise in seconds. OpenCC's phrase table (e.g. 乾隆 stays 乾隆) is not
applied: it changes a handful of words that carry no risk signal and costs 50× the time.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|cn|net|org)(?:/\S*)?", re.I)
MENTION_RE = re.compile(r"@[^\s@:：,，。!！?？]{1,30}")
TAG_RE = re.compile(r"<[^<>]{0,200}>")
ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});", re.I)
REPEAT_RE = re.compile(r"(.)\1{2,}")  # three or more of one character → two
SPACE_RE = re.compile(r"\s+")
# Variation selectors, zero-width joiners and skin tones: an emoji keeps its base character.
EMOJI_JOINERS = dict.fromkeys([0x200B, 0x200C, 0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400)])


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    table: dict[int, str] = {}
    try:
        import opencc  # opencc-python-reimplemented
    except ImportError:  # pragma: no cover - the dependency is pinned
        return table
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1:
            table[ord(parts[0])] = parts[1]
    # Full-width ASCII (！？，０-９Ａ-Ｚ) and the ideographic space become their narrow forms.
    for code in range(0xFF01, 0xFF5F):
        table.setdefault(code, chr(code - 0xFEE0))
    table[0x3000] = " "
    table.update(EMOJI_JOINERS)
    return table


def normalise(text: str) -> str:
    """What the model and the rules read: Simplified, narrow forms, no links or @names."""
    if not text:
        return ""
    if "<" in text:
        text = TAG_RE.sub(" ", text)
    if "&" in text and ENTITY_RE.search(text):
        text = html.unescape(text)
    text = text.translate(_t2s_table())
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text) if any(0x2460 <= ord(c) <= 0x33FF for c in text) else text
    if "http" in text or "www" in text or "." in text:
        text = URL_RE.sub(" ", text)
    if "@" in text:
        text = MENTION_RE.sub(" ", text)
    text = REPEAT_RE.sub(r"\1\1", text)
    return SPACE_RE.sub(" ", text).strip().lower()
