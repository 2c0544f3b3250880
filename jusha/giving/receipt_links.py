"""Receipt links that travel in URLs (the receipt email, the API's `receipt_url`, the
payment provider's way back): each carries a ticket, not a key. A ticket is signed,
time-limited (`JUSHA_RECEIPT_LINK_MAX_AGE`: days for an email, a day for the API and
the way back from the provider) and good for one use: the receipt page trades it for
an entry in the browser's session (a `permissions.receipt_grant`, which never leaves
the server) and redirects to the receipt's plain address. What an address bar, a
browser's history, a proxy's or our own access log keeps opens nothing once used.

A link checker or a chat app's preview that fetches the link spends nothing: a GET
with a ticket only asks the visitor to open the receipt (a POST trades the ticket).

The gift's access token (shown once by the API) is the long-lived key: the API takes it
as `Authorization: Bearer`; the receipt page still trades one given as `?access_token=`.
"""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

SALT = "jusha.giving.receipt-ticket"
PARAM = "ticket"
EMAIL, API = "m", "a"  # what a ticket was made for: its lifetime

OK, EXPIRED, USED, INVALID = "ok", "expired", "used", "invalid"


def _max_age(via: str) -> int:
    ages = settings.JUSHA_RECEIPT_LINK_MAX_AGE
    return int(ages["email"] if via == EMAIL else ages["api"])


def ticket_for(donation, *, via: str) -> str:
    """A new ticket to the donation's receipt, made for an email (`EMAIL`) or the API (`API`)."""
    if via not in (EMAIL, API):
        raise ValueError(f"unknown receipt link kind {via!r}")
    return signing.TimestampSigner(salt=SALT).sign(f"{uuid.UUID(str(donation.pk)).hex}.{via}.{secrets.token_urlsafe(9)}")


def receipt_link(donation, *, via: str) -> str:
    """The receipt's path with a new ticket: for an email, the API's answer, a return URL."""
    return reverse("giving:receipt", args=[donation.pk]) + "?" + urlencode({PARAM: ticket_for(donation, via=via)}, safe=":")


def _read(donation, ticket: str) -> tuple[str, str]:
    """(outcome, nonce) of a ticket for this donation, without spending it."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(ticket or "")
        gift, via, nonce = value.split(".", 2)
        if gift != uuid.UUID(str(donation.pk)).hex or via not in (EMAIL, API) or not nonce:
            return INVALID, ""
        signer.unsign(ticket, max_age=_max_age(via))
    except signing.SignatureExpired:
        return EXPIRED, ""
    except (signing.BadSignature, ValueError):
        return INVALID, ""
    if cache.get(_spent_key(nonce)):
        return USED, nonce
    return OK, nonce


def _spent_key(nonce: str) -> str:
    return f"receipt-ticket:{nonce}"


def ticket_check(donation, ticket: str) -> str:
    """OK, EXPIRED, USED or INVALID, spending nothing (a GET, a link checker's fetch)."""
    return _read(donation, ticket)[0]


def ticket_redeem(donation, ticket: str) -> str:
    """Spend the ticket: OK exactly once, for the first caller; then USED. Expired and
    foreign tickets are refused as EXPIRED or INVALID."""
    outcome, nonce = _read(donation, ticket)
    if outcome != OK:
        return outcome
    # Spent marks outlive the ticket's own lifetime, so a ticket is never good twice;
    # add() is atomic in every cache backend (one process wins a race).
    if not cache.add(_spent_key(nonce), 1, timeout=max(_max_age(EMAIL), _max_age(API)) + 3600):
        return USED
    return OK
