"""The Merkle core against the reference vectors (every case), and generated proofs."""

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jusha.transparency import merkle

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "merkle" / "testdata"


def _cases(kind):
    if not TESTDATA.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"reference vectors not found at {TESTDATA} (../shared/data is absent)"))]
    files = sorted((TESTDATA / kind).rglob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=str(f.relative_to(TESTDATA))) for f in files]


def b64(value):
    return base64.b64decode(value or "")


def hashes(case):
    return [b64(h) for h in case.get("proof") or []]


def outcome(check):
    try:
        check()
    except merkle.ProofError:
        return True
    return False


@pytest.mark.parametrize("case", _cases("inclusion"))
def test_inclusion_vectors(case):
    failed = outcome(lambda: merkle.verify_inclusion(case["leafIdx"], case["treeSize"], b64(case["leafHash"]), hashes(case), b64(case["root"])))
    assert failed == case["wantErr"], case["desc"]


@pytest.mark.parametrize("case", _cases("consistency"))
def test_consistency_vectors(case):
    failed = outcome(lambda: merkle.verify_consistency(case["size1"], case["size2"], hashes(case), b64(case["root1"]), b64(case["root2"])))
    assert failed == case["wantErr"], case["desc"]


@pytest.mark.parametrize("case", _cases("subtreeinclusion"))
def test_subtree_inclusion_vectors(case):
    failed = outcome(lambda: merkle.verify_subtree_inclusion(
        case["leafIdx"], case["start"], case["end"], b64(case["leafHash"]), hashes(case), b64(case["root"])))
    assert failed == case["wantErr"], case["desc"]


@pytest.mark.parametrize("case", _cases("subtreeconsistency"))
def test_subtree_consistency_vectors(case):
    failed = outcome(lambda: merkle.verify_subtree_consistency(
        case["start"], case["end"], case["size"], hashes(case), b64(case["root1"]), b64(case["root2"])))
    assert failed == case["wantErr"], case["desc"]


def test_vectors_cover_every_file():
    if not TESTDATA.is_dir():
        pytest.skip(f"reference vectors not found at {TESTDATA} (../shared/data is absent)")
    assert len(list(TESTDATA.rglob("*.json"))) == sum(len(_cases(k)) for k in ("inclusion", "consistency", "subtreeinclusion", "subtreeconsistency"))


# --- RFC 9162 known answers (the reference's test tree of 8 leaves) --------------------

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_known_roots_and_proofs():
    leaf_hashes = [merkle.leaf_hash(x) for x in LEAVES]
    node = merkle.list_node_reader(leaf_hashes)
    for size in range(1, 9):
        assert merkle.tree_head(size, node).hex() == ROOTS[size - 1]
        assert merkle.root_from_hashes(leaf_hashes[:size]).hex() == ROOTS[size - 1]
    assert merkle.tree_head(0, node) == merkle.EMPTY_ROOT
    # The reference numbers leaves from 1.
    assert [h.hex() for h in merkle.inclusion_proof(0, 8, node)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [h.hex() for h in merkle.consistency_proof(6, 8, node)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


def test_generation_refuses_impossible_requests():
    node = merkle.list_node_reader([merkle.leaf_hash(b"x")] * 4)
    for index, size in ((4, 4), (0, 0), (-1, 3)):
        with pytest.raises(merkle.ProofError):
            merkle.inclusion_proof(index, size, node)
    for size1, size2 in ((0, 3), (4, 3)):
        with pytest.raises(merkle.ProofError):
            merkle.consistency_proof(size1, size2, node)


# --- generated proofs verify, for every size up to a few hundred ------------------------

TREE = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(400)]
NODE = merkle.list_node_reader(TREE)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_generated_inclusion_proofs_verify(size_index):
    size, index = size_index
    root = merkle.root_from_hashes(TREE[:size])
    proof = merkle.inclusion_proof(index, size, NODE)
    merkle.verify_inclusion(index, size, TREE[index], proof, root)
    if proof:  # one flipped bit anywhere is caught
        bad = list(proof)
        bad[-1] = bytes([bad[-1][0] ^ 1]) + bad[-1][1:]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(index, size, TREE[index], bad, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(index, size, TREE[(index + 1) % 400], proof, root)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_generated_consistency_proofs_verify(sizes):
    size1, size2 = sizes
    root1, root2 = merkle.root_from_hashes(TREE[:size1]), merkle.root_from_hashes(TREE[:size2])
    proof = merkle.consistency_proof(size1, size2, NODE)
    merkle.verify_consistency(size1, size2, proof, root1, root2)
    if size1 < size2:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size2, proof, root2, root1)
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, size2, proof[:-1], root1, root2)


def test_every_small_size_exhaustively():
    for size in range(1, 70):
        root = merkle.root_from_hashes(TREE[:size])
        compact = merkle.CompactRange()
        for h in TREE[:size]:
            compact.append(h)
        assert compact.root() == root == merkle.tree_head(size, NODE)
        for index in range(size):
            merkle.verify_inclusion(index, size, TREE[index], merkle.inclusion_proof(index, size, NODE), root)
        for size1 in range(1, size + 1):
            merkle.verify_consistency(size1, size, merkle.consistency_proof(size1, size, NODE), merkle.root_from_hashes(TREE[:size1]), root)
