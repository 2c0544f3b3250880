"""HTTP Signatures as the fediverse uses them (draft-cavage-http-signatures-12, RSA
PKCS#1 v1.5 with SHA-256, as Mastodon signs and checks), with the Digest header of the
body. Pure functions over a method, a path, headers and PEM keys: no database, no network.

Signing string: one line per covered header, `name: value`, lower-case names, joined by
newlines; `(request-target)` is `<method lower-case> <path?query>`. A POST must cover
`(request-target)`, `host`, `date` and `digest`; the date must be recent.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_SKEW = timedelta(hours=1)
REQUIRED_POST = ("(request-target)", "host", "date", "digest")
REQUIRED_GET = ("(request-target)", "host", "date")
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(ValueError):
    """The request's signature is missing, malformed, stale or does not verify."""


@dataclass(frozen=True)
class SignatureHeader:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes


def new_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(at: datetime | None = None) -> str:
    return format_datetime((at or datetime.now(timezone.utc)).astimezone(timezone.utc), usegmt=True)


def signing_string(method: str, path: str, headers: dict[str, str], covered) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    lines = []
    for name in covered:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name in lower:
            lines.append(f"{name}: {lower[name].strip()}")
        else:
            raise SignatureError(f"the signed header {name} is missing")
    return "\n".join(lines)


def sign(*, method: str, path: str, headers: dict[str, str], key_id: str, private_pem: str,
         covered=None) -> str:
    """The Signature header's value for a request with these headers."""
    covered = tuple(covered or (REQUIRED_POST if method.upper() == "POST" else REQUIRED_GET))
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    text = signing_string(method, path, headers, covered).encode()
    signature = key.sign(text, padding.PKCS1v15(), hashes.SHA256())
    return (f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(covered)}",'
            f'signature="{base64.b64encode(signature).decode()}"')


def signed_headers(*, method: str, url_host: str, path: str, body: bytes | None, key_id: str,
                   private_pem: str, at: datetime | None = None) -> dict[str, str]:
    headers = {"Host": url_host, "Date": http_date(at)}
    if body is not None:
        headers["Digest"] = digest(body)
    headers["Signature"] = sign(method=method, path=path, headers=headers, key_id=key_id, private_pem=private_pem)
    return headers


def parse(value: str) -> SignatureHeader:
    params = dict(_PARAM.findall(value or ""))
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureError("the Signature header has no keyId or signature")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
    except ValueError as exc:
        raise SignatureError("the signature is not base64") from exc
    covered = tuple((params.get("headers") or "date").lower().split())
    return SignatureHeader(params["keyId"], params.get("algorithm", "hs2019").lower(), covered, raw)


def key_id_of(headers: dict[str, str]) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    return parse(lower.get("signature", "")).key_id


def verify(*, method: str, path: str, headers: dict[str, str], body: bytes | None, public_pem: str,
           now: datetime | None = None) -> SignatureHeader:
    """Check the request's Signature (and Digest, and Date) against the public key; return
    the parsed header. Raises SignatureError saying which check failed."""
    lower = {k.lower(): v for k, v in headers.items()}
    header = parse(lower.get("signature", ""))
    if header.algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"unsupported algorithm {header.algorithm}")
    required = REQUIRED_POST if method.upper() == "POST" else REQUIRED_GET
    missing = [name for name in required if name not in header.headers]
    if missing:
        raise SignatureError("the signature does not cover " + ", ".join(missing))
    try:
        sent = parsedate_to_datetime(lower.get("date", ""))
    except (TypeError, ValueError) as exc:
        raise SignatureError("the Date header is not a date") from exc
    if sent.tzinfo is None or abs((now or datetime.now(timezone.utc)) - sent) > MAX_SKEW:
        raise SignatureError("the Date header is too far from now")
    if body is not None and lower.get("digest", "") != digest(body):
        raise SignatureError("the Digest header does not match the body")
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
    except ValueError as exc:
        raise SignatureError("the actor's public key cannot be read") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the actor's key is not an RSA key")
    text = signing_string(method, path, headers, header.headers).encode()
    try:
        key.verify(header.signature, text, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureError("the signature does not verify") from exc
    return header
