"""Pure rules of social charity: link codes, when a gift is attributed, the privacy
threshold, influence arithmetic (K, conversion, branching) and what looks like a bot.
No database here."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

# Short codes: 8 characters without look-alikes (0/o, 1/l/i): 31^8 ≈ 8.5 × 10^11 codes.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")

# A chain deeper than this starts a new tree: it bounds the closure rows a link costs.
MAX_DEPTH = 64

# Privacy: a figure resting on fewer gifts than this is shown to non-owners as "fewer than 3".
PRIVACY_THRESHOLD = 3
FEWER = "<3"  # what the API says instead of such a figure; pages say "fewer than 3"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(value) -> bool:
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


# --- attribution ---------------------------------------------------------------------

def attribution_refusal(*, same_project: bool, active: bool, expired: bool, in_own_chain: bool) -> str | None:
    """Why a gift made with a (well-formed, known) code is not attributed to it, or None.

    `in_own_chain`: the donor owns the link or one of its ancestors. Giving through your
    own link is self-referral; giving through a link downstream of yours would credit
    your own gift to your chain (a loop). Neither earns attribution.
    """
    if not same_project:
        return "foreign_code"
    if not active:
        return "link_not_attributing"
    if expired:
        return "expired_code"
    if in_own_chain:
        return "self_referral"
    return None


# --- privacy -------------------------------------------------------------------------

def public_count(gifts: int) -> int | str:
    """A count of gifts as non-owners see it: below the threshold (0 included) it is FEWER."""
    return gifts if gifts >= PRIVACY_THRESHOLD else FEWER


def public_amount(gifts: int, amount: int) -> int | None:
    """An amount resting on `gifts` gifts, for non-owners: hidden (None) below the threshold."""
    return amount if gifts >= PRIVACY_THRESHOLD else None


def owner_amount(gifts: int, amount: int, anonymous: int) -> int | None:
    """An amount a link's owner sees: exact from three gifts on, or when none of the gifts
    behind it was anonymous (those donors chose to be shown, as on the donors' wall)."""
    return amount if gifts >= PRIVACY_THRESHOLD or anonymous == 0 else None


def public_ratio(value: float | None, basis: int) -> float | None:
    """A ratio computed from `basis` gifts (or donors), for non-owners."""
    return value if basis >= PRIVACY_THRESHOLD else None


# --- influence arithmetic ------------------------------------------------------------

def viral_k(new_donors: int, sharers: int) -> float:
    """The viral coefficient K of a project's relay.

    K = D / S, where D is the number of distinct donors with at least one counted gift
    (paid, not wholly refunded) made through a share link of the project, and S is the
    number of sharers: distinct members or guest browsers holding a share link for it.
    K > 1 means each person who passes the project on brings in more than one new donor,
    so the relay grows by itself. 0 when nobody shared.
    """
    return round(new_donors / sharers, 3) if sharers else 0.0


def conversion_rate(gifts: int, opens: int) -> float | None:
    """Gifts through links per counted open (visitor-day); None before the first open."""
    return round(gifts / opens, 4) if opens else None


@dataclass(frozen=True)
class Branching:
    parents: int  # links with at least one child link
    children: int  # links with a parent
    widest: int  # most children of one link

    @property
    def mean(self) -> float:
        """Children per link that has any: how wide the relay branches where it branches."""
        return round(self.children / self.parents, 2) if self.parents else 0.0


# --- bots ----------------------------------------------------------------------------

BOT_MARKERS = (
    "bot", "spider", "crawl", "slurp", "preview", "fetch", "scan", "monitor", "headless", "phantom",
    "curl", "wget", "python", "httpx", "aiohttp", "java/", "go-http", "okhttp", "libwww", "scrapy",
    "facebookexternalhit", "whatsapp", "telegram", "discord", "slack", "embedly", "lighthouse",
)


def looks_like_bot(user_agent: str | None) -> bool:
    """Crawlers, link previewers and scripts: their opens are not counted."""
    ua = (user_agent or "").lower()
    return len(ua) < 12 or any(marker in ua for marker in BOT_MARKERS)
