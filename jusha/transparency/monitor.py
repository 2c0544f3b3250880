"""Following a tiled log as a monitor: verify each new checkpoint's signature, re-hash every
new entry from the entry bundles against the level-0 tiles, and extend a compact range of
the tree; the new signed root must come out of it. That proves the new checkpoint
consistent with every earlier one (the log only appended) and every entry present.

Pure of the database: `follow` takes the state and a fetch function and returns the new
state, or raises Alarm (a fork, a rewrite, a bad signature, a rollback).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jusha.transparency import merkle, tiles
from jusha.transparency.note import Checkpoint, NoteError, Verifier, open_checkpoint


class Alarm(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class MonitorState:
    size: int = 0
    compact: list[bytes] = field(default_factory=list)
    seen: dict[int, bytes] = field(default_factory=dict)  # size -> root of checkpoints seen

    @property
    def root(self) -> bytes:
        return merkle.CompactRange(self.size, self.compact).root()


def entries_from_bundle(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("truncated entry bundle")
        length = int.from_bytes(data[pos : pos + 2], "big")
        out.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
    if pos != len(data):
        raise ValueError("truncated entry bundle")
    return out


def follow(prefix: str, verifier: Verifier, state: MonitorState,
           fetch: Callable[[str], bytes]) -> tuple[Checkpoint, str, MonitorState]:
    prefix = prefix.rstrip("/")
    note = fetch(f"{prefix}/checkpoint").decode("utf-8", "replace")
    try:
        checkpoint, _cosigners = open_checkpoint(note, verifier)
    except NoteError as exc:
        raise Alarm("signature" if exc.check in ("signature", "origin") else "format", f"bad checkpoint: {exc}") from exc
    known = state.seen.get(checkpoint.size)
    if known is not None and known != checkpoint.root:
        raise Alarm("fork", f"two signed checkpoints of size {checkpoint.size} with different roots: the log forked")
    if checkpoint.size < state.size:
        if known is None:
            raise Alarm("rollback", f"the log went back from size {state.size} to {checkpoint.size}")
        return checkpoint, note, state
    if checkpoint.size == state.size:
        if checkpoint.root != state.root:
            raise Alarm("fork", f"the checkpoint of size {checkpoint.size} does not have the root the entries make")
        state.seen[checkpoint.size] = checkpoint.root
        return checkpoint, note, state
    compact = merkle.CompactRange(state.size, state.compact)
    for number in range(state.size // tiles.WIDTH, (checkpoint.size - 1) // tiles.WIDTH + 1):
        width = min(tiles.WIDTH, checkpoint.size - number * tiles.WIDTH)
        ref = tiles.TileRef(0, number, width)
        bundle_ref = tiles.TileRef(None, number, width)
        hashes = fetch(f"{prefix}/{ref.path}")
        try:
            entries = entries_from_bundle(fetch(f"{prefix}/{bundle_ref.path}"))
        except ValueError as exc:
            raise Alarm("rewrite", f"entry bundle {bundle_ref.path}: {exc}") from exc
        if len(entries) != width or len(hashes) != width * merkle.HASH_SIZE:
            raise Alarm("rewrite", f"{ref.path} does not hold {width} entries")
        for offset, entry in enumerate(entries):
            position = number * tiles.WIDTH + offset
            digest = merkle.leaf_hash(entry)
            if digest != hashes[offset * 32 : offset * 32 + 32]:
                raise Alarm("rewrite", f"entry {position} does not hash to its place in {ref.path}")
            if position >= state.size:
                compact.append(digest)
    if compact.root() != checkpoint.root:
        raise Alarm("rewrite", f"the entries do not make the signed root of size {checkpoint.size}: "
                               f"history before size {state.size} was rewritten, or entries are missing")
    seen = {**state.seen, checkpoint.size: checkpoint.root}
    return checkpoint, note, MonitorState(compact.size, list(compact.hashes), seen)
