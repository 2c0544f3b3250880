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


# --- secondary suppression -----------------------------------------------------------
#
# Hiding a small figure is not enough when its neighbours and their total are published:
# the total minus the shown figures gives it back exactly (one gift of 12.34 yuan in
# generation 2 was read off a relay page this way). As statistical agencies do, a figure
# beside a small one is hidden too ("secondary suppression"), so that what the total
# minus the shown figures reveals always rests on at least PRIVACY_THRESHOLD gifts.


@dataclass(frozen=True)
class Cell:
    """One figure of a table published beside its total: `gifts` behind an `amount`
    (minor units), `anonymous` of those gifts given anonymously."""

    gifts: int
    amount: int = 0
    anonymous: int = 0


def is_small(cell: Cell, threshold: int = PRIVACY_THRESHOLD) -> bool:
    """A figure non-owners may not see: resting on some gifts, but fewer than the threshold."""
    return 0 < cell.gifts < threshold


def is_small_for_owner(cell: Cell, threshold: int = PRIVACY_THRESHOLD) -> bool:
    """An amount even a link's owner may not see (see `owner_amount`)."""
    return owner_amount(cell.gifts, cell.amount, cell.anonymous) is None and cell.gifts < threshold


def suppressed_cells(cells, threshold: int = PRIVACY_THRESHOLD, *, primary=None) -> frozenset[int]:
    """The positions of the cells to hide in a table of `cells` (each a Cell, or a pair
    (gifts, amount)) whose sum is a published total.

    The primary cells are hidden (`primary`: their positions; by default every cell with
    0 < gifts < threshold). While the hidden group rests on fewer than `threshold` gifts,
    so that the total minus the shown cells would give a small figure back, the smallest
    other non-empty cell is hidden too (fewest gifts, then the first). A hidden cell hides
    its count and its amount. Empty cells never protect anything and are never chosen.
    """
    cells = [cell if isinstance(cell, Cell) else Cell(*cell) for cell in cells]
    hidden = set(
        (i for i, cell in enumerate(cells) if is_small(cell, threshold)) if primary is None else primary
    )
    while hidden and 0 < sum(cells[i].gifts for i in hidden) < threshold:
        others = [i for i, cell in enumerate(cells) if cell.gifts > 0 and i not in hidden]
        if not others:
            break  # every non-empty cell is hidden: the group is the total, hidden by its own rule
        hidden.add(min(others, key=lambda i: (cells[i].gifts, i)))
    return frozenset(hidden)


def total_reveals(cells, hidden, threshold: int = PRIVACY_THRESHOLD) -> bool:
    """Whether publishing the total of `cells` beside the cells not in `hidden` would give
    back a group of hidden cells resting on fewer than `threshold` gifts."""
    cells = [cell if isinstance(cell, Cell) else Cell(*cell) for cell in cells]
    return 0 < sum(cells[i].gifts for i in hidden) < threshold


def public_cells(cells, threshold: int = PRIVACY_THRESHOLD) -> list[tuple[int | str | None, int | None]]:
    """A table's cells (pairs (gifts, amount)) as non-owners see them, beside a total
    published through `public_count` and `public_amount`: (count, amount) for each, where
    a small cell reads (FEWER, None), a cell hidden to protect a small one reads (None,
    None), and an empty one (FEWER, None) as before."""
    cells = [cell if isinstance(cell, Cell) else Cell(*cell) for cell in cells]
    hidden = suppressed_cells(cells, threshold)
    shown = []
    for i, cell in enumerate(cells):
        if i in hidden and cell.gifts >= threshold:
            shown.append((None, None))
        else:
            shown.append((public_count(cell.gifts), public_amount(cell.gifts, cell.amount)))
    return shown


def owner_figures(direct: Cell, downstream: Cell) -> tuple[int | None, int | None]:
    """The amounts a link's owner sees: (through the link, through it and every link below).

    The owner sees every count, so the gifts below the link (downstream minus direct) are
    a cell of the table too, unpublished but given back by subtraction: when they are few
    and anonymous, the direct amount is hidden with them (and the other way round).
    """
    below = Cell(
        downstream.gifts - direct.gifts, downstream.amount - direct.amount, downstream.anonymous - direct.anonymous
    )
    cells = [direct, below]
    hidden = suppressed_cells(cells, primary=[i for i, cell in enumerate(cells) if is_small_for_owner(cell)])
    direct_amount = None if 0 in hidden else direct.amount
    return direct_amount, owner_amount(downstream.gifts, downstream.amount, downstream.anonymous)


def owner_total(cells) -> int | None:
    """The total an owner sees of cells (Cell) each published on its own with `owner_amount`
    (a member's links, each on its own page): no cell can be hidden to protect another, so
    the total is hidden when it would give back the hidden ones."""
    cells = list(cells)
    total = Cell(sum(c.gifts for c in cells), sum(c.amount for c in cells), sum(c.anonymous for c in cells))
    hidden = [i for i, cell in enumerate(cells) if is_small_for_owner(cell)]
    if total_reveals(cells, hidden):
        return None
    return owner_amount(total.gifts, total.amount, total.anonymous)


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
