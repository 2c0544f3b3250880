"""C2SP signed notes with Ed25519, tlog checkpoints, and Ed25519 witness cosignatures.

Pure: the standard library and `cryptography` only (the standalone verifier uses it).

- signed-note: text, a blank line, then lines `— <name> base64(key ID || signature)`;
  key ID = SHA-256(name || "\\n" || type || public key)[:4]; type 0x01 is Ed25519.
- verifier keys as `<name>+<key ID hex>+base64(type || public key)`, private keys as
  `PRIVATE+KEY+<name>+<key ID hex>+base64(type || seed)` (the Go `note` package's forms).
- tlog-checkpoint: origin, tree size, base64 root hash, each on its own line.
- tlog-cosignature (type 0x04): signature over "cosignature/v1\\ntime <t>\\n" + checkpoint,
  as an 8-byte big-endian timestamp followed by the Ed25519 signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE = 0x04
DASH = "\u2014"
MAX_SIGNATURES = 64
MAX_NOTE_BYTES = 1 << 20
_NAME = re.compile(r"^[^\s+]+$")
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})$")


class NoteError(ValueError):
    """A note, key or checkpoint that does not parse or verify. `check` names what failed."""

    def __init__(self, message: str, check: str = "format"):
        super().__init__(message)
        self.check = check


def b64decode(text: str) -> bytes:
    """Strict, canonical base64: a text that re-encodes to itself, so no bit of it is slack."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"not base64: {text[:40]!r}") from exc
    if base64.b64encode(raw).decode() != text:
        raise NoteError(f"not canonical base64: {text[:40]!r}")
    return raw


def key_id(name: str, alg: int, public: bytes) -> int:
    return struct.unpack(">I", hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4])[0]


def _check_name(name: str) -> str:
    if not name or not _NAME.match(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: bytes
    alg: int = ED25519

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.alg, self.public_key)

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([self.alg]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """`signature` without its 4-byte key ID."""
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        if self.alg == COSIGNATURE:
            if len(signature) != 72:
                return False
            (timestamp,) = struct.unpack(">Q", signature[:8])
            text, signature = cosigned_message(text, timestamp), signature[8:]
        try:
            public.verify(signature, text)
        except InvalidSignature:
            return False
        return True


def parse_vkey(vkey: str) -> Verifier:
    parts = vkey.strip().split("+", 2)  # the base64 key may hold '+' itself
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<key ID>+<base64 key>", "key")
    name, hex_id, encoded = parts
    _check_name(name)
    raw = b64decode(encoded)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
        raise NoteError("only Ed25519 verifier keys (types 0x01 and 0x04) are supported", "key")
    verifier = Verifier(name, raw[1:], raw[0])
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id) or int(hex_id, 16) != verifier.key_id:
        raise NoteError("the verifier key's ID does not match its name and key", "key")
    return verifier


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes = field(repr=False)
    alg: int = ED25519

    @classmethod
    def generate(cls, name: str, alg: int = ED25519) -> Signer:
        from cryptography.hazmat.primitives import serialization

        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return cls(_check_name(name), raw, alg)

    @property
    def verifier(self) -> Verifier:
        from cryptography.hazmat.primitives import serialization

        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return Verifier(self.name, public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw), self.alg)

    @property
    def skey(self) -> str:
        encoded = base64.b64encode(bytes([self.alg]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{encoded}"

    def signature_line(self, text: bytes, timestamp: int | None = None) -> str:
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        if self.alg == COSIGNATURE:
            signature = struct.pack(">Q", timestamp) + private.sign(cosigned_message(text, timestamp))
        else:
            signature = private.sign(text)
        raw = struct.pack(">I", self.verifier.key_id) + signature
        return f"{DASH} {self.name} {base64.b64encode(raw).decode()}\n"


def parse_skey(skey: str) -> Signer:
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a private key is PRIVATE+KEY+<name>+<key ID>+<base64 key>", "key")
    raw = b64decode(parts[4])
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
        raise NoteError("only Ed25519 private keys are supported", "key")
    signer = Signer(_check_name(parts[2]), raw[1:], raw[0])
    if parts[3] != f"{signer.verifier.key_id:08x}":
        raise NoteError("the private key's ID does not match its name and key", "key")
    return signer


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + text


# --- notes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    signature: bytes
    line: str


def split_note(note: str) -> tuple[str, list[Signature]]:
    """(text, signatures) of a signed note, checking only its shape."""
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("the note is too large")
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("the note contains control characters")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("a note is text, a blank line, then signature lines")
    text, lines = note[: cut + 1], note[cut + 2 :].splitlines(keepends=True)
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError("a note carries 1 to %d signatures" % MAX_SIGNATURES)
    return text, [parse_signature_line(line) for line in lines]


def parse_signature_line(line: str) -> Signature:
    """'— <name> base64(key ID || signature)' and its newline."""
    parts = line.removesuffix("\n").split(" ")
    if len(parts) != 3 or parts[0] != DASH or not line.endswith("\n"):
        raise NoteError(f"malformed signature line {line[:60]!r}")
    _check_name(parts[1])
    raw = b64decode(parts[2])
    if len(raw) < 5:
        raise NoteError("a signature is a key ID and at least one byte")
    return Signature(parts[1], struct.unpack(">I", raw[:4])[0], raw[4:], line)


def open_note(note: str, verifiers: list[Verifier]) -> tuple[str, list[Verifier]]:
    """The text of a note and the known keys whose signatures verified.

    Unknown signatures are ignored; a known signature that does not verify rejects the
    note, and so does a note without any verified signature (check: "signature")."""
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), sig.signature):
            raise NoteError(f"the signature by {sig.name} does not verify", "signature")
        verified.append(verifier)
    if not verified:
        raise NoteError("no signature by a trusted key", "signature")
    return text, verified


# --- checkpoints ------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise NoteError("a checkpoint is at least three non-empty lines: origin, size, root hash", "checkpoint")
    origin, size, root = lines[0], lines[1], lines[2]
    if not _SIZE.match(size) or int(size) >= 1 << 64:
        raise NoteError(f"the tree size {size[:30]!r} is not a decimal number", "checkpoint")
    root_bytes = b64decode(root)
    if len(root_bytes) != 32:
        raise NoteError("the root hash is not 32 bytes", "checkpoint")
    return Checkpoint(origin, int(size), root_bytes, tuple(lines[3:-1]))


def open_checkpoint(note: str, verifier: Verifier, *, origin: str | None = None,
                    cosigners: list[Verifier] = ()) -> tuple[Checkpoint, list[Verifier]]:
    """Verify a signed checkpoint by the log's key (and any known cosigners).

    The log's own signature is required; check names: "format", "signature", "origin",
    "checkpoint"."""
    text, signatures = split_note(note)
    checkpoint = parse_checkpoint(text)
    expected = origin if origin is not None else verifier.name
    if checkpoint.origin != expected:
        raise NoteError(f"the checkpoint is from origin {checkpoint.origin!r}, not {expected!r}", "origin")
    _text, verified = open_note(note, [verifier, *cosigners])
    if verifier not in verified:
        raise NoteError(f"the checkpoint is not signed by the log key {verifier.name}", "signature")
    return checkpoint, [v for v in verified if v != verifier]
