"""What a leaf is: the canonical JSON of one public fact, with personal data only as a
salted commitment. Pure (standard library only): the verifier and monitors use it too.

Canonical JSON: UTF-8, keys sorted, no spaces, strings/integers/booleans/null/lists/objects
only. No floats (amounts are integers in minor units), and integers within ±(2^53 - 1) so
that every JSON reader reads the same number.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets

MAX_LEAF_BYTES = 65535  # entry bundles prefix each entry with a uint16 length
SAFE_INTEGER = 2**53 - 1
KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
RESERVED = {"kind", "v", "commitment"}
VERSION = 1


class LeafError(ValueError):
    """A fact that cannot be a leaf."""


def _check(value, where: str = "fact") -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > SAFE_INTEGER:
            raise LeafError(f"{where}: integer {value} is outside ±(2^53 - 1)")
        return
    if isinstance(value, float):
        raise LeafError(f"{where}: floats are not allowed (use integer minor units)")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LeafError(f"{where}: keys must be strings")
            _check(item, f"{where}.{key}")
        return
    raise LeafError(f"{where}: {type(value).__name__} is not a JSON value")


def canonical(value) -> bytes:
    _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def new_salt() -> bytes:
    return secrets.token_bytes(32)


def commitment(salt: bytes, personal: dict) -> str:
    """SHA-256(salt || canonical(personal)), hex. Without the salt it reveals nothing; with
    it, the person can show the fact was about them. Deleting the salt is erasure."""
    return hashlib.sha256(salt + canonical(personal)).hexdigest()


def commitment_matches(leaf_fact: dict, salt: bytes, personal: dict) -> bool:
    return hmac.compare_digest(str(leaf_fact.get("commitment", "")), commitment(salt, personal))


def build(kind: str, public: dict, commit: str | None = None) -> bytes:
    """The leaf bytes of a fact."""
    if not isinstance(kind, str) or not KIND.match(kind):
        raise LeafError(f"kind {kind!r} must be a short lower-case identifier")
    if not isinstance(public, dict):
        raise LeafError("the public fields must be a dict")
    clash = RESERVED & set(public)
    if clash:
        raise LeafError(f"reserved field(s) in the public fields: {', '.join(sorted(clash))}")
    fact = {"kind": kind, "v": VERSION, **public}
    if commit is not None:
        fact["commitment"] = commit
    data = canonical(fact)
    if len(data) > MAX_LEAF_BYTES:
        raise LeafError(f"the leaf is {len(data)} bytes; at most {MAX_LEAF_BYTES}")
    return data


def parse(data: bytes) -> dict:
    """The fact in a leaf; LeafError unless the bytes are exactly its canonical JSON."""
    try:
        fact = json.loads(data.decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
    except (UnicodeDecodeError, ValueError) as exc:
        raise LeafError(f"the leaf is not canonical JSON: {exc}") from exc
    if not isinstance(fact, dict) or canonical(fact) != data:
        raise LeafError("the leaf is not canonical JSON")
    return fact


def _no_float(value):
    raise ValueError(f"non-integer number {value}")
