"""The log-in limiter: one for every door that checks a password.

Failed log-ins are counted per network (`core.ratelimit.client_network`: an IPv4 address or
an IPv6 /64) and per account (the normalised email address, whether or not a member has it,
so a lock says nothing about who is a member). `limit` failures within `window` seconds
(settings.JUSHA_LOGIN_LIMITS) and the next attempt locks that network or account for
`window` seconds. While locked no password is checked at all: the right one is refused like
any other, so a guessed password cannot be confirmed. A password reset ends an account's
lock (`account_unlock`): the owner can always get back in through their mailbox.

The check sits in the authentication backend (`backends.EmailBackend`), so every caller of
`django.contrib.auth.authenticate()` goes through it: the log-in page, `POST
/api/v1/auth/token`, `/admin/login/` and the password-change form. A lock raises `Locked`
(a PermissionDenied: `authenticate()` stops there and returns None); the door then asks
`retry_after()` and answers 429 with `Retry-After`.

Counting stays exact with several app processes and any cache backend:
- an attempt claims a slot before its password is checked, so a burst of parallel guesses
  cannot all pass a check made before any of them had failed; a right password gives its
  slot back (only failures stay counted);
- a slot is a cache key claimed with `cache.add()`, atomic on every backend (SET NX on
  Redis, a unique key in the database cache, a lock in local memory), where `cache.incr()`
  is a read and a write on the database cache, the default;
- time is cut into windows of `window` seconds holding `limit` slots each, a slot holding
  the time it was claimed; the failures of the last `window` seconds are the slots of this
  window and the previous window's slots newer than `now - window`, and a slot may be
  claimed only below `limit` minus the latter, so no span of `window` seconds ever holds
  more than `limit` failures, however many requests race.
Everything is compared with this module's `clock`, which tests move instead of sleeping.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from jusha.core.ratelimit import client_network

clock = time.time
CODE = "login_locked"


def normalise_email(email) -> str:
    """The form of an email address that log-in looks up (and the limiter counts)."""
    return (email or "").strip().lower()


class Locked(PermissionDenied):
    """Raised inside `authenticate()`: it stops there, no password checked."""

    def __init__(self, retry_after: int):
        super().__init__("log-in locked")
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Counter:
    kind: str  # "account" or "network"
    ident: str  # a keyed hash: no address or IP in the cache
    limit: int
    window: int

    @property
    def lock_key(self) -> str:
        return f"login:{self.kind}:{self.ident}:lock"

    def slot_keys(self, window_number: int) -> list[str]:
        return [f"login:{self.kind}:{self.ident}:{window_number}:{i}" for i in range(self.limit)]


def _ident(kind: str, value: str) -> str:
    return salted_hmac(f"jusha.accounts.lockout.{kind}", value).hexdigest()[:32]


def _account_counter(email) -> _Counter | None:
    email = normalise_email(email)
    if not email:
        return None
    limit, window = settings.JUSHA_LOGIN_LIMITS["account"]
    return _Counter("account", _ident("account", email), limit, window)


def _counters(request, email) -> list[_Counter]:
    counters = [c for c in [_account_counter(email)] if c is not None]
    if request is not None:  # authenticate() without a request (a shell, a test client's login)
        limit, window = settings.JUSHA_LOGIN_LIMITS["network"]
        counters.append(_Counter("network", _ident("network", client_network(request)), limit, window))
    return counters


def _enabled() -> bool:
    return settings.JUSHA_RATE_LIMIT_ENABLED


def _seconds(until: float, now: float) -> int:
    return max(1, math.ceil(until - now))


@dataclass
class Attempt:
    """One log-in attempt's claimed slots."""

    claimed: list[str] = field(default_factory=list)

    def succeeded(self) -> None:
        """The password was right: this attempt was no failure, its slots go back."""
        if self.claimed:
            cache.delete_many(self.claimed)
            self.claimed = []


def begin(request, email) -> Attempt:
    """Count one attempt to log in as `email` from `request`'s network, before any password
    is checked. Raises `Locked` when the account or the network is locked, or when this
    attempt would be one failure too many (the lock starts now)."""
    if not _enabled():
        return Attempt()
    counters = _counters(request, email)
    now = clock()
    keys = []
    for counter in counters:
        number = int(now // counter.window)
        keys += [counter.lock_key, *counter.slot_keys(number - 1), *counter.slot_keys(number)]
    seen = cache.get_many(keys)
    waits = [_seconds(seen[c.lock_key], now) for c in counters if seen.get(c.lock_key, 0) > now]
    if waits:
        raise Locked(max(waits))
    attempt = Attempt()
    for counter in counters:
        slot = _claim(counter, now, seen)
        if slot is None:
            until = now + counter.window
            cache.set(counter.lock_key, until, timeout=counter.window + 60)
            attempt.succeeded()  # nothing was checked: give back what the other counter lent
            raise Locked(_seconds(until, now))
        attempt.claimed.append(slot)
    return attempt


def _claim(counter: _Counter, now: float, seen: dict) -> str | None:
    number = int(now // counter.window)
    since = now - counter.window
    before = sum(1 for key in counter.slot_keys(number - 1) if seen.get(key, since) > since)
    for key in counter.slot_keys(number)[: max(counter.limit - before, 0)]:
        # The slots of the last two windows are read with the value, whatever the cache's own clock.
        if key not in seen and cache.add(key, now, timeout=2 * counter.window + 60):
            return key
    return None


def retry_after(request, email) -> int | None:
    """Seconds until `email` may try to log in again from `request`'s network (None: now)."""
    if not _enabled():
        return None
    counters = _counters(request, email)
    now = clock()
    seen = cache.get_many([c.lock_key for c in counters])
    waits = [_seconds(seen[c.lock_key], now) for c in counters if seen.get(c.lock_key, 0) > now]
    return max(waits) if waits else None


def account_unlock(email) -> None:
    """The owner proved themselves (a password reset): the account's lock and its counted
    failures go. A network's lock stays: it is not theirs alone."""
    counter = _account_counter(email)
    if counter is None:
        return
    number = int(clock() // counter.window)
    cache.delete_many([counter.lock_key, *counter.slot_keys(number - 1), *counter.slot_keys(number)])


def locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed log-ins. To protect the account, logging in is paused: try again in %(minutes)d minute, "
        "or reset your password by email.",
        "Too many failed log-ins. To protect the account, logging in is paused: try again in %(minutes)d minutes, "
        "or reset your password by email.",
        minutes,
    ) % {"minutes": minutes}


def locked_response(response, retry_after: int | None):
    """A page door's answer when the limiter refused: the form again (saying when), 429."""
    if retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response
