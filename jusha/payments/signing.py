"""Webhook signatures: `X-Jusha-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`.

Pure functions, no Django. Several v1 values may be present (a provider rotating its
secret); one match is enough. The timestamp must be within the tolerance either way.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Jusha-Signature"


class SignatureError(ValueError):
    """Why a signature was refused: missing, malformed, stale or not matching."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.code = code


def compute(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={compute(secret, timestamp, body)}"


def verify(secret: str, body: bytes, header: str | None, *, now: int, tolerance: int = 300) -> int:
    """Return the signed timestamp, or raise SignatureError."""
    if not header:
        raise SignatureError("missing signature header", "signature_missing")
    timestamp = None
    candidates = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed signature header", "signature_malformed")
        if key == "t":
            if not value.isdigit() or len(value) > 12:
                raise SignatureError("malformed timestamp", "signature_malformed")
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("signature header needs t= and v1=", "signature_malformed")
    if abs(now - timestamp) > tolerance:
        raise SignatureError("signature timestamp outside the tolerance", "signature_stale")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("signature does not match", "signature_mismatch")
    return timestamp
