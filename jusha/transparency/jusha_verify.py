#!/usr/bin/env python3
"""Verify a Jusha receipt's proof bundle offline: the standard library and `cryptography` only.

    python jusha-verify.py receipt.tlog-proof --key 'jusha.localhost/log+1a2b3c4d+AR...'
        [--receipt JS2026...] [--amount 5000] [--witness VKEY ...] [--quorum N] [--lang zh-Hans|en]

(jusha-verify.py is this module and the ones it uses in one file, from /log/jusha-verify.py;
in a clone of the repository, `python -m jusha.transparency.verify` is the same program.)

Checks, in order, each by name: format (the bundle parses), origin (the checkpoint is
from the log the key names), signature (the log signed it; every other signature line is
by a --witness key and verifies), witnesses (at least --quorum of them cosigned), leaf (the
entry is a canonical fact), inclusion (the entry is at its index in the signed tree), facts
(the entry is the receipt's: --receipt, --amount). Prints what was verified in plain words
and exits 0; otherwise names the failed check and exits with its number (2 to 8). Speaks
Simplified Chinese unless --lang en (the names of the checks stay as above in both).

Jusha's offline verifier in one file: Python 3 (tested with 3.11) and the `cryptography` package
(pip install cryptography). Built from jusha/transparency/{note,bundle,merkle,leaves,verify}.py
by jusha/transparency/standalone.py; its SHA-256 is published in docs/transparency.md.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import struct
import sys
from collections.abc import Callable, Iterable, Sequence
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from dataclasses import dataclass, field

# --- note.py: C2SP signed notes with Ed25519, tlog checkpoints, and Ed25519 witness cosignatures.

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


# --- bundle.py: C2SP tlog-proof@v1: an offline-verifiable proof that an entry is in a checkpointed log.

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"^index (0|[1-9][0-9]{0,19})$")


@dataclass(frozen=True)
class ProofBundle:
    index: int
    proof: list[bytes]
    checkpoint: str
    extra: bytes | None = None

    @property
    def text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode() for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_bundle(text: str) -> ProofBundle:
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines or lines[0] != HEADER:
        raise NoteError(f"not a {HEADER} proof")
    lines = lines[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        extra = b64decode(lines.pop(0)[6:])
    if not lines or not _INDEX.match(lines[0]):
        raise NoteError("the proof has no valid 'index <n>' line")
    index = int(lines.pop(0)[6:])
    proof = []
    for line in lines:
        digest = b64decode(line)
        if len(digest) != 32:
            raise NoteError("an inclusion proof line is not a 32-byte hash")
        proof.append(digest)
    return ProofBundle(index, proof, checkpoint, extra)


# --- merkle.py: RFC 9162 §2.1 Merkle hash trees: hashing, tree heads, proofs and their verification.

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_SIZE = 1 << 64

NodeReader = Callable[[int, int], bytes]  # (height, index) -> hash of that perfect subtree


class ProofError(ValueError):
    """A proof, a size or a hash is not what it must be."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf (or same-height node) hashes, level by level.

    Carrying an unpaired last node up unchanged gives the same root as RFC 9162's
    recursive definition, whose left subtrees are always perfect."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    sha, prefix = hashlib.sha256, b"\x01"
    while len(level) > 1:
        paired = [sha(prefix + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


# --- ranges: what a proof is made of ----------------------------------------------------

def range_parts(lo: int, hi: int) -> list[tuple[int, int]]:
    """[lo, hi) as perfect subtrees (height, index), left to right, largest first."""
    parts = []
    while lo < hi:
        height = (hi - lo).bit_length() - 1
        if lo:
            height = min(height, (lo & -lo).bit_length() - 1)
        parts.append((height, lo >> height))
        lo += 1 << height
    return parts


def range_hash(lo: int, hi: int, node: NodeReader) -> bytes:
    """MTH(D[lo:hi]) for the ranges proofs and tree heads use (lo aligned to the range)."""
    return parts_hash([node(h, k) for h, k in range_parts(lo, hi)])


def parts_hash(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the hashes of its range_parts, in their order."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for part in reversed(hashes[:-1]):
        acc = node_hash(part, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(index, D[size]) as ranges, from the leaf's sibling up to the root's child."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not below size {size}")
    ranges, lo, hi = [], 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1) as ranges; 0 < size1 <= size2."""
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    ranges, lo, hi, m, complete = [], 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        ranges.append((lo, hi))
    return ranges[::-1]


def nodes_for(ranges: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    return {part for lo, hi in ranges for part in range_parts(lo, hi)}


def list_node_reader(leaf_hashes: Sequence[bytes]) -> NodeReader:
    """A node reader over leaf hashes held in memory (tests, small trees)."""
    def node(height: int, index: int) -> bytes:
        return root_from_hashes(leaf_hashes[index << height : (index + 1) << height])
    return node


def tree_head(size: int, node: NodeReader) -> bytes:
    return range_hash(0, size, node)


def inclusion_proof(index: int, size: int, node: NodeReader) -> list[bytes]:
    return [range_hash(lo, hi, node) for lo, hi in inclusion_ranges(index, size)]


def consistency_proof(size1: int, size2: int, node: NodeReader) -> list[bytes]:
    return [range_hash(lo, hi, node) for lo, hi in consistency_ranges(size1, size2)]


# --- a compact range: the right border of a growing tree --------------------------------

class CompactRange:
    """The roots of the perfect subtrees that make up D[0:size]: enough to append leaves
    and compute every later tree head without the rest of the tree (monitors, audits)."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()):
        if len(hashes) != bin(size).count("1"):
            raise ProofError("a compact range holds one hash per set bit of its size")
        self.size, self.hashes = size, list(hashes)

    def append(self, leaf: bytes) -> None:
        h, s = leaf, self.size
        while s & 1:
            h = node_hash(self.hashes.pop(), h)
            s >>= 1
        self.hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        acc = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            acc = node_hash(h, acc)
        return acc


# --- verification (the reference verifier's checks) -------------------------------------

def _check_size(*values: int) -> None:
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < MAX_SIZE:
            raise ProofError(f"{v!r} is not a tree size or index")


def _check_hashes(proof: Sequence[bytes]) -> None:
    for h in proof:
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError("every proof hash must be 32 bytes")


def _match(calculated: bytes, expected: bytes) -> None:
    if calculated != expected:
        raise ProofError("the calculated root does not match the expected root")


def _decomp(index: int, size: int) -> tuple[int, int]:
    """Proof length split where the paths to `index` and `size - 1` part: (inner, border)."""
    inner = (index ^ (size - 1)).bit_length()
    return inner, bin(index >> inner).count("1")


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    _check_size(index, size)
    if index >= size:
        raise ProofError(f"index {index} is beyond size {size}")
    if not isinstance(leaf, bytes | bytearray) or len(leaf) != HASH_SIZE:
        raise ProofError("the leaf hash must be 32 bytes")
    inner, border = _decomp(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"wrong proof size {len(proof)}, want {inner + border}")
    _check_hashes(proof)
    return _chain_border_right(_chain_inner(bytes(leaf), proof[:inner], index), proof[inner:])


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless `proof` proves leaf hash `leaf` at `index` in the tree `root`."""
    _match(root_from_inclusion_proof(index, size, leaf, proof), root)


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise ProofError unless `proof` proves the tree (size1, root1) a prefix of (size2, root2)."""
    _check_size(size1, size2)
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) < size1 ({size1})")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        if proof:
            raise ProofError("size1 = size2, but the proof is not empty")
        return _match(root1, root2)
    if not proof:
        raise ProofError("empty proof")
    _match(_root_from_subtree_consistency(0, size1, size2, proof, root1), root2)


def _subtree_valid(start: int, end: int) -> None:
    if start > end:
        raise ProofError(f"start {start} must be <= end {end}")
    if start and start != end:
        width = end - start
        if start & ((1 << (width - 1).bit_length()) - 1):
            raise ProofError(f"start {start} is not a multiple of bit_ceil({width})")


def verify_subtree_inclusion(index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Inclusion of a leaf in the subtree [start, end) with root `root`."""
    _check_size(index, start, end)
    _subtree_valid(start, end)
    if not start <= index < end:
        raise ProofError(f"index {index} is outside the subtree [{start}, {end})")
    _match(root_from_inclusion_proof(index - start, end - start, leaf, proof), root)


def verify_subtree_consistency(start: int, end: int, size: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """The subtree [start, end) with root `root1` is part of the tree of `size` with root `root2`."""
    _check_size(start, end, size)
    _subtree_valid(start, end)
    if size < end:
        raise ProofError(f"size ({size}) < end ({end})")
    if start == end:  # the empty subtree: consistent with anything, if it is the empty hash
        if proof:
            raise ProofError("the subtree is empty, but the proof is not")
        return _match(root1, EMPTY_ROOT)
    if start == 0 and end == size:
        if proof:
            raise ProofError("start = 0 and end = size, but the proof is not empty")
        return _match(root1, root2)
    if not proof:
        raise ProofError("empty proof")
    _match(_root_from_subtree_consistency(start, end, size, proof, root1), root2)


def _root_from_subtree_consistency(start: int, end: int, size: int, proof: Sequence[bytes], sub_root: bytes) -> bytes:
    _check_hashes(proof)
    if end == size:
        level = ((end - 1) ^ start).bit_length()
        want = bin(start >> level).count("1")
        if len(proof) != want:
            raise ProofError(f"wrong proof size {len(proof)}, want {want}")
        return _chain_border_right(sub_root, proof)
    fork = ((end - 1) ^ (size - 1)).bit_length()
    shift = ((end - start) & -(end - start)).bit_length() - 1
    seed, first = (sub_root, 0) if end - start == 1 << shift else (proof[0], 1)
    want = first + (fork - shift) + bin((end - 1) >> fork).count("1")
    if len(proof) != want:
        raise ProofError(f"wrong proof size {len(proof)}, want {want}")
    proof = proof[first:]
    top = ((end - 1) ^ start).bit_length()
    sub, grown, i = seed, seed, 0
    for level in range(shift, top):
        if ((end - 1) >> level) & 1:
            sub, grown = node_hash(proof[i], sub), node_hash(proof[i], grown)
            i += 1
        elif level < fork:
            grown = node_hash(grown, proof[i])
            i += 1
    _match(sub, sub_root)
    return root_from_inclusion_proof(start >> top, ((size - 1) >> top) + 1, grown, proof[i:])


# --- leaves.py: What a leaf is: the canonical JSON of one public fact, with personal data only as a

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


# --- verify.py: Verify a Jusha receipt's proof bundle offline: the standard library and `cryptography` only.

CHECKS = ["format", "origin", "signature", "witnesses", "leaf", "inclusion", "facts"]


class VerifyError(Exception):
    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check

    @property
    def exit_code(self) -> int:
        return 2 + CHECKS.index(self.check)


LANGUAGES = ("zh-Hans", "en")
MESSAGES = {
    "en": {
        "signed": "OK: the log {origin} signed a checkpoint of {size} entries (signature checked).",
        "included": "OK: entry {index} is included in that checkpoint (inclusion proof checked).",
        "says": "OK: the entry says: {what}.",
        "cosigned": "OK: cosigned by the witnesses {names}.",
        "note": "Note: compare the entry with your receipt, or pass --receipt and --amount to have it checked.",
        "failed": "FAILED check {check}: {detail}",
        "why": "{explain}",
        "not_utf8": "the bundle is not UTF-8 text",
        "cannot_read": "cannot read {path}: {error}",
    },
    "zh-Hans": {
        "signed": "通过：日志 {origin} 签署了一个含 {size} 条记录的检查点（签名已核验）。",
        "included": "通过：第 {index} 条记录在这个检查点之中（包含证明已核验）。",
        "says": "通过：这条记录写的是：{what}。",
        "cosigned": "通过：见证方 {names} 已联署这个检查点。",
        "note": "提示：请把这条记录和您的收据对照，或加上 --receipt 和 --amount，由本程序替您核对。",
        "failed": "未通过：{name}检查（FAILED check {check}）。{explain}",
        "why": "详情：{detail}",
        "not_utf8": "证明文件不是 UTF-8 文本",
        "cannot_read": "无法读取 {path}：{error}",
    },
}
CHECK_NAMES = {"format": "格式", "origin": "来源", "signature": "签名", "witnesses": "见证",
               "leaf": "记录", "inclusion": "包含证明", "facts": "收据信息"}
EXPLAIN = {
    "en": {
        "format": "The proof file or a key is malformed: perhaps an incomplete download.",
        "origin": "The checkpoint is not from the log the key names.",
        "signature": "The checkpoint's signature does not hold: the file was changed, or the key is not the log's.",
        "witnesses": "Too few witnesses cosigned the checkpoint.",
        "leaf": "The entry in the proof file is not a well-formed record.",
        "inclusion": "The entry is not part of the signed log: the file was changed.",
        "facts": "The entry is not this receipt's: the receipt number or the amount differs.",
    },
    "zh-Hans": {
        "format": "证明文件或密钥的格式不对，可能没有下载完整。",
        "origin": "这个检查点不是密钥所指的那个日志发布的。",
        "signature": "检查点的签名不成立：文件被改动过，或者密钥不是这个日志的。",
        "witnesses": "联署这个检查点的见证方不够。",
        "leaf": "证明文件里的记录格式不规范。",
        "inclusion": "这条记录不在已签名的日志之中：文件被改动过。",
        "facts": "这条记录不是这张收据的：收据编号或金额不一致。",
    },
}
FACT_NAMES = {"kind": "类型", "receipt": "收据编号", "amount": "金额（分）", "currency": "币种",
              "project": "项目", "id": "编号", "at": "时间", "refund": "退款", "donation": "捐款"}


def say(lang: str, key: str, **values) -> str:
    return MESSAGES.get(lang, MESSAGES["zh-Hans"])[key].format(**values)


def failure(error: "VerifyError", lang: str) -> str:
    """The failed check, named, explained, with the detail, in the reader's language."""
    lang = lang if lang in MESSAGES else "zh-Hans"
    head = say(lang, "failed", check=error.check, name=CHECK_NAMES.get(error.check, error.check),
               explain=EXPLAIN[lang].get(error.check, ""), detail=str(error))
    return head if lang == "en" else head + "\n" + say(lang, "why", detail=str(error))


@dataclass
class Verified:
    origin: str
    index: int
    size: int
    fact: dict
    cosigners: list[str]

    def summary(self, lang: str = "en") -> str:
        items = sorted((k, v) for k, v in self.fact.items() if k not in ("v", "commitment"))
        if lang == "en":
            what = ", ".join(f"{k} {v}" for k, v in items)
        else:
            what = "，".join(f"{FACT_NAMES.get(k, k)} {v}" for k, v in items)
        lines = [
            say(lang, "signed", origin=self.origin, size=self.size),
            say(lang, "included", index=self.index),
            say(lang, "says", what=what),
        ]
        if self.cosigners:
            lines.append(say(lang, "cosigned", names=", ".join(self.cosigners)))
        return "\n".join(lines)


def verify(text: str, *, key: str, witnesses: list[str] = (), quorum: int = 0, expect: dict | None = None) -> Verified:
    """Verify a bundle; raise VerifyError naming the failed check."""
    try:
        bundle = parse_bundle(text)
        log_key = parse_vkey(key)
        witness_keys = [parse_vkey(w) for w in witnesses]
    except NoteError as exc:
        raise VerifyError("format", str(exc)) from exc
    try:
        checkpoint, cosigners = open_checkpoint(bundle.checkpoint, log_key, cosigners=witness_keys)
        _text, signatures = split_note(bundle.checkpoint)
    except NoteError as exc:
        raise VerifyError(exc.check if exc.check in CHECKS else "format", str(exc)) from exc
    known = {(v.name, v.key_id) for v in [log_key, *witness_keys]}
    strangers = [s.name for s in signatures if (s.name, s.key_id) not in known]
    if strangers:
        names = ", ".join(strangers)
        raise VerifyError("signature", f"signature lines by keys you did not give: {names} (pass them with --witness)")
    if len(cosigners) < quorum:
        raise VerifyError("witnesses", f"{len(cosigners)} witness cosignature(s), {quorum} required")
    if bundle.extra is None:
        raise VerifyError("leaf", "the bundle does not carry the entry (no 'extra' line)")
    try:
        fact = parse(bundle.extra)
    except LeafError as exc:
        raise VerifyError("leaf", str(exc)) from exc
    try:
        verify_inclusion(bundle.index, checkpoint.size, leaf_hash(bundle.extra), bundle.proof, checkpoint.root)
    except ProofError as exc:
        raise VerifyError("inclusion", f"entry {bundle.index} is not proven in the checkpoint: {exc}") from exc
    for field, value in (expect or {}).items():
        if value is not None and str(fact.get(field)) != str(value):
            raise VerifyError("facts", f"the entry's {field} is {fact.get(field)!r}, the receipt's is {value!r}")
    return Verified(checkpoint.origin, bundle.index, checkpoint.size, fact, [c.name for c in cosigners])


def _arg_text(value: str) -> str:
    if os.path.exists(value):
        with open(value, encoding="utf-8") as handle:
            return handle.read().strip()
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="jusha-verify.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="the .tlog-proof file from the receipt page ('-' for standard input)")
    parser.add_argument("--key", required=True, help="the log's verifier key (from /log/key), or a file holding it")
    parser.add_argument("--witness", action="append", default=[], help="a witness's verifier key (repeatable)")
    parser.add_argument("--quorum", type=int, default=0, help="how many witness cosignatures are required")
    parser.add_argument("--receipt", help="the receipt number printed on your receipt")
    parser.add_argument("--amount", type=int, help="the amount on your receipt, in fen")
    parser.add_argument("--lang", choices=LANGUAGES, default="zh-Hans",
                        help="the language of the report: zh-Hans (简体中文, the default) or en")
    args = parser.parse_args(argv)
    lang = args.lang
    try:
        raw = sys.stdin.buffer.read() if args.bundle == "-" else open(args.bundle, "rb").read()  # noqa: SIM115
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        print(failure(VerifyError("format", say(lang, "not_utf8")), lang), file=sys.stderr)
        return 2
    except OSError as exc:
        print(say(lang, "cannot_read", path=args.bundle, error=exc), file=sys.stderr)
        return 1
    try:
        result = verify(text, key=_arg_text(args.key), witnesses=[_arg_text(w) for w in args.witness],
                        quorum=args.quorum, expect={"receipt": args.receipt, "amount": args.amount})
    except VerifyError as exc:
        print(failure(exc, lang), file=sys.stderr)
        return exc.exit_code
    print(result.summary(lang))
    if args.receipt is None and args.amount is None:
        print(say(lang, "note"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
