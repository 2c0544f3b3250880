"""RFC 9162 §2.1 Merkle hash trees: hashing, tree heads, proofs and their verification.

Pure Python (standard library only, no Django): the log, the standalone verifier, the
monitor and the audit script all use this one module.

Proof generation works on *ranges*: every hash in an inclusion path PATH(m, D[n]) or a
consistency proof PROOF(m, D[n]) is the Merkle Tree Hash of some D[lo:hi]. A range splits
into perfect subtrees (height h, index k) = MTH(D[k*2^h : (k+1)*2^h]), which a store
(the log's tiles, or a list in memory) answers. So a proof needs O(log n) stored hashes.

Verification follows the reference verifier (transparency-dev/merkle `proof`) with its
strict checks: index < size, exact proof length, 32-byte hashes, size1 <= size2, no
consistency proof from an empty tree; the subtree variants are there too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

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
