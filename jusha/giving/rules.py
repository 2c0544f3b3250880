"""Pure rules of giving: what may be refunded, tokens and receipt numbers (amounts are
checked by jusha.core.money.require_positive, the one check every service uses)."""

from __future__ import annotations

import secrets

# Receipt numbers: a prefix and 16 characters of Crockford base32 (80 random bits).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def refundable(*, amount: int, refunded: int, project_available: int, fee_recoverable: int = 0) -> int:
    """What may still be refunded of a gift: the gross the donor paid less what was refunded
    already, never more than the project still holds uncommitted (spent money cannot be
    handed back) plus what the provider will still give back of this gift's fee (that fee
    was taken from the project's funds; it comes back with the refund)."""
    return max(0, min(amount - refunded, project_available + max(fee_recoverable, 0)))


def far_above_gap(*, amount: int, gap: int) -> bool:
    """A gift worth asking about before it is opened: more than twice what the project
    still needs to reach its goal, and at least 100 yuan (10,000 fen) over it. Not a
    refusal: the donor is asked once and may go on."""
    return gap > 0 and amount > 2 * gap and amount - gap >= 10_000


def pause_reason(*, gifts_today: int, amount: int, nth_gift: int, above: int) -> str | None:
    """Whether a gift meets the pause screen (冷静一下) before it is opened, and why:
    "nth_gift" when it would be the donor's `nth_gift`-th (or later) gift today, "large" when
    it is above `above` fen; None otherwise. A pause, never a refusal."""
    if nth_gift > 0 and gifts_today + 1 >= nth_gift:
        return "nth_gift"
    if above > 0 and amount > above:
        return "large"
    return None


def status_after_refund(*, amount: int, refunded_total: int) -> str:
    return "refunded" if refunded_total >= amount else "partially_refunded"


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


def new_receipt_number(year: int) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return f"JS{year}-{body[:8]}-{body[8:]}"
