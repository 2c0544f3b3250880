"""Handles and URLs at rest: MultiFernet over `settings.JUSHA_CRISIS_KEYS` (newest first).

Rotation: put a new key first, run `manage.py crisis_rotate_keys` (re-encrypts every row
with it), then drop the old key. Without configured keys a key is derived from SECRET_KEY
(development). Authors are grouped by an HMAC digest of the handle, never the handle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _keys() -> list[bytes]:
    keys = [k.encode() for k in getattr(settings, "JUSHA_CRISIS_KEYS", []) if k]
    if not keys:
        keys = [base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode() + b"jusha.crisis.fields").digest())]
    return keys


def fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def encrypt(value: str) -> bytes:
    return fernet().encrypt(value.encode())


def decrypt(token) -> str:
    return fernet().decrypt(bytes(token)).decode() if token else ""


def rotate(token) -> bytes:
    return fernet().rotate(bytes(token))


def author_digest(source_id: int, handle: str) -> str:
    key = hashlib.sha256(settings.SECRET_KEY.encode() + b"jusha.crisis.author").digest()
    return hmac.new(key, f"{source_id}:{handle.strip().lower()}".encode(), hashlib.sha256).hexdigest()
