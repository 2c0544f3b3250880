"""C2SP tlog-tiles: tile coordinates and paths, hashes read from tiles, tiles grown by appends.

Pure (standard library only). A tile at level L holds up to 256 consecutive hashes of
perfect subtrees of height 8·L; a node of height h = 8·L + r is the Merkle root of 2^r
consecutive hashes of one tile at level L. So any proof needs at most a few tiles per
level, whatever the size of the tree, and the tree is never held whole anywhere.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jusha.transparency.merkle import HASH_SIZE, range_hash, root_from_hashes

WIDTH = 256
HEIGHT = 8
MAX_LEVEL = 63


class TilePathError(ValueError):
    """A tile path that the spec does not allow."""


@dataclass(frozen=True)
class TileRef:
    level: int | None  # None for an entry bundle
    index: int
    width: int = WIDTH

    @property
    def partial(self) -> bool:
        return self.width < WIDTH

    @property
    def path(self) -> str:
        head = "entries" if self.level is None else str(self.level)
        tail = f".p/{self.width}" if self.partial else ""
        return f"tile/{head}/{encode_index(self.index)}{tail}"


def encode_index(n: int) -> str:
    """1234067 -> 'x001/x234/067' (zero-padded 3-digit elements, all but the last with x)."""
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        parts.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(parts))


_PATH = re.compile(r"^(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})(?:\.p/(?P<width>[1-9][0-9]{0,2}))?$")


def parse_path(path: str) -> TileRef:
    """'0/x001/234.p/5' or 'entries/000' (after the 'tile/' prefix) -> TileRef."""
    match = _PATH.match(path)
    if not match:
        raise TilePathError(f"not a tile path: {path!r}")
    level = None if match["level"] == "entries" else int(match["level"])
    if level is not None and level > MAX_LEVEL:
        raise TilePathError(f"tile level {level} is above {MAX_LEVEL}")
    elements = match["index"].split("/")
    if len(elements) > 1 and elements[0] == "x000":
        raise TilePathError("the tile index has a leading zero element")
    width = int(match["width"]) if match["width"] else WIDTH
    if match["width"] and width >= WIDTH:
        raise TilePathError(f"a partial tile is 1 to 255 hashes wide, not {width}")
    return TileRef(level, int("".join(e.lstrip("x") for e in elements)), width)


def level_width(size: int, level: int) -> int:
    """How many hashes level `level` holds in a tree of `size` leaves."""
    return size >> (HEIGHT * level)


def partial_tiles(size: int) -> list[TileRef]:
    """The partial tiles (width 1..255) a tree of `size` has, one per level at most."""
    return [TileRef(level, level_width(size, level) // WIDTH, level_width(size, level) % WIDTH)
            for level in range(MAX_LEVEL + 1) if level_width(size, level) % WIDTH]


def node_tile(height: int, index: int) -> tuple[int, int, int, int]:
    """Where the node (height, index) lives: (tile level, tile index, offset, count)."""
    level, r = divmod(height, HEIGHT)
    first = index << r
    return level, first // WIDTH, first % WIDTH, 1 << r


def node_from_tile(data: bytes, offset: int, count: int) -> bytes:
    """The Merkle root of `count` (a power of two) hashes of a tile, from `offset`."""
    start, end = offset * HASH_SIZE, (offset + count) * HASH_SIZE
    if end > len(data):
        raise KeyError("the tile does not hold that node yet")
    if count == 1:
        return data[start:end]
    return root_from_hashes([data[i : i + HASH_SIZE] for i in range(start, end, HASH_SIZE)])


def tile_levels(data: bytes) -> tuple[bytes, ...]:
    """Every complete node inside a tile, level by level: level r holds the roots of each 2^r
    consecutive hashes, concatenated (level 0 is the tile itself). A full tile: 255 SHA-256."""
    levels, sha = [data], hashlib.sha256
    while len(data) >= 2 * HASH_SIZE:  # pair neighbours; an unpaired last hash has no parent yet
        data = b"".join([sha(b"\x01" + data[i : i + 2 * HASH_SIZE]).digest()
                         for i in range(0, len(data) - HASH_SIZE, 2 * HASH_SIZE)])
        levels.append(data)
    return tuple(levels)


# A tile's levels, cached by the tile's content: a key that cannot go stale, whatever
# happens to the stored tile (grown, rolled back, re-created). The tiles above level 0 and
# the partial tiles are few and shared by most proofs; the full level-0 tiles are many and
# read at random, so they have a smaller cache of their own and never evict the others.
_levels = lru_cache(maxsize=256)(tile_levels)
_leaf_levels = lru_cache(maxsize=64)(tile_levels)


def cached_levels(level: int, data: bytes) -> tuple[bytes, ...]:
    """tile_levels of the stored tile `data` at `level`, hashed once per process while hot."""
    return (_leaf_levels if level == 0 and len(data) == WIDTH * HASH_SIZE else _levels)(data)


def node_from_levels(levels: tuple[bytes, ...], offset: int, count: int) -> bytes:
    """The node of `count` (a power of two) hashes from `offset`, out of tile_levels."""
    r = count.bit_length() - 1
    start = (offset >> r) * HASH_SIZE
    node = levels[r][start : start + HASH_SIZE] if r < len(levels) else b""
    if len(node) != HASH_SIZE:
        raise KeyError("the tile does not hold that node yet")
    return node


def tile_root(data: bytes) -> bytes:
    """The hash a full tile contributes to the level above."""
    return node_from_tile(data, 0, WIDTH)


def append_leaves(size: int, partials: Mapping[int, bytes],
                  leaf_hashes: Iterable[bytes]) -> tuple[int, dict[tuple[int, int], bytes]]:
    """Append leaf hashes to a tree of `size` whose partial tiles are `partials` (level ->
    the hashes of that level's rightmost tile, as one byte string).

    Returns the new size and every tile that changed: {(level, tile index): hashes}, full
    tiles at 8,192 bytes, the new rightmost partial tiles shorter. Only the partial tiles
    and the batch are in memory, never the tree."""
    pending: dict[int, list[bytes]] = {}
    for level, data in partials.items():
        pending[level] = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
    changed: dict[tuple[int, int], bytes] = {}
    sha, prefix = hashlib.sha256, b"\x01"
    level0 = pending.setdefault(0, [])
    for leaf in leaf_hashes:
        level0.append(leaf)
        size += 1
        if len(level0) < WIDTH:
            continue
        level, row = 0, level0
        while len(row) == WIDTH:  # a tile filled: store it, push its root one level up
            data = b"".join(row)
            changed[(level, (level_width(size, level) - 1) // WIDTH)] = data
            nodes = row
            while len(nodes) > 1:
                nodes = [sha(prefix + nodes[i] + nodes[i + 1]).digest() for i in range(0, len(nodes), 2)]
            row.clear()
            level += 1
            row = pending.setdefault(level, [])
            row.append(nodes[0])
        level0 = pending[0]
    for level, row in pending.items():
        if row:
            changed[(level, level_width(size, level) // WIDTH)] = b"".join(row)
    return size, changed


def root_from_partials(size: int, partials: Mapping[int, bytes]) -> bytes:
    """The tree head of `size` from its partial tiles alone (the perfect subtrees of the
    right border all lie in them)."""
    def node(height: int, index: int) -> bytes:
        level, _tile, offset, count = node_tile(height, index)
        return node_from_tile(partials[level], offset, count)

    return range_hash(0, size, node)
