"""Pure decisions of the alliance: which events exist, when a failed delivery is tried
again, when an endpoint has failed for long enough to be disabled, and what text an XML
file can hold. No database, no network: unit-tested alone."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

# The events an endpoint may subscribe to; `missing.case_found` only while that app exists.
EVENTS = (
    "donation.paid",
    "donation.refunded",
    "project.updated",
    "project.status_changed",
    "batch.delivered",
    "expenditure.recorded",
    "missing.case_found",
)

# The waits after the 1st, 2nd, ... failed attempt (Standard Webhooks' advice: exponential,
# with jitter). Their sum is just under a day: the last retry is ~23.7 hours after the event.
BACKOFF = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
JITTER = 0.1
# An endpoint whose every attempt failed for this long (and whose deliveries gave up) is
# disabled, and its owners are told by email.
DISABLE_AFTER = timedelta(hours=24)


def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> timedelta | None:
    """The wait before the next attempt after `failed_attempts` failures, or None when the
    delivery has had all its attempts. Jitter (±10 %) keeps many failing deliveries from
    retrying in the same second."""
    if failed_attempts < 1 or failed_attempts > len(BACKOFF):
        return None
    base = BACKOFF[failed_attempts - 1]
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=base.total_seconds() * factor)


def is_success(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER


def events_field(events: list[str]) -> str:
    """The stored form: each event between commas, in the canonical order, once."""
    chosen = [e for e in EVENTS if e in set(events)]
    return "," + ",".join(chosen) + "," if chosen else ""


# XML 1.0 allows tab, newline, carriage return and the ranges below; anything else (other
# control characters, lone surrogates, U+FFFE/U+FFFF) cannot be written, escaped or not.
_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value) -> str:
    """Text an XML file can hold: characters XML 1.0 forbids are dropped (never the file)."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))
