"""Pure formats: tiles, leaves (canonical JSON, commitments), signed notes and checkpoints."""

import base64
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jusha.transparency import leaves, merkle, note, tiles
from jusha.transparency.bundle import ProofBundle, parse_bundle

# --- tiles --------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "path"), [(0, "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")])
def test_tile_index_encoding(index, path):
    assert tiles.encode_index(index) == path
    assert tiles.parse_path(f"0/{path}") == tiles.TileRef(0, index)
    assert tiles.parse_path(f"entries/{path}.p/7") == tiles.TileRef(None, index, 7)
    assert tiles.TileRef(2, index, 9).path == f"tile/2/{path}.p/9"


@pytest.mark.parametrize("path", ["0/1", "0/0000", "00/000", "64/000", "0/x000/001", "0/001/x002", "0/001.p/0", "0/001.p/256",
                                  "0/001.p/007", "x/000", "0/-01", "0/000/", "entries/000.p/", "0/000.p/1/2"])
def test_malformed_tile_paths(path):
    with pytest.raises(tiles.TilePathError):
        tiles.parse_path(path)


def test_partial_tiles_follow_the_spec_example():
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
    # tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
    # partial level 2 tile of width 1"
    assert tiles.partial_tiles(70_000) == [tiles.TileRef(0, 273, 112), tiles.TileRef(1, 1, 17), tiles.TileRef(2, 0, 1)]
    assert tiles.partial_tiles(256) == [tiles.TileRef(1, 0, 1)]
    assert tiles.partial_tiles(0) == []


def test_appending_in_any_batches_builds_the_same_tiles_and_root():
    leaf_hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(70_000)]
    rng = random.Random(7)
    size, store = 0, {}
    while size < len(leaf_hashes):
        step = rng.choice([1, 3, 255, 256, 257, 1000, 5000])
        partials = {ref.level: store[(ref.level, ref.index)] for ref in tiles.partial_tiles(size)}
        size, changed = tiles.append_leaves(size, partials, leaf_hashes[size : size + step])
        store.update(changed)
        current = {ref.level: store[(ref.level, ref.index)] for ref in tiles.partial_tiles(size)}
        if rng.random() < 0.05 or size == len(leaf_hashes):
            assert tiles.root_from_partials(size, current) == merkle.root_from_hashes(leaf_hashes[:size])
    assert store[(0, 0)] == b"".join(leaf_hashes[:256])
    assert store[(1, 0)][:32] == merkle.root_from_hashes(leaf_hashes[:256])
    assert len(store[(2, 0)]) == 32 and len(store[(1, 273 // 256)]) == 17 * 32

    def node(height, index):
        level, tile, offset, count = tiles.node_tile(height, index)
        return tiles.node_from_tile(store[(level, tile)], offset, count)

    for size in (1, 256, 65_536, 65_537, 69_999):
        assert merkle.tree_head(size, node) == merkle.root_from_hashes(leaf_hashes[:size])


@pytest.mark.parametrize("width", [1, 2, 3, 7, 8, 100, 255, 256])
def test_a_tiles_levels_hold_every_node_it_can_give(width):
    data = b"".join(merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(width))
    levels = tiles.tile_levels(data)
    assert tiles.cached_levels(0, data) == levels == tiles.cached_levels(1, data)
    for r in range(9):
        for offset in range(0, tiles.WIDTH, 1 << r):
            if offset + (1 << r) <= width:
                assert tiles.node_from_levels(levels, offset, 1 << r) == tiles.node_from_tile(data, offset, 1 << r)
            else:
                with pytest.raises(KeyError):
                    tiles.node_from_levels(levels, offset, 1 << r)


# --- leaves -------------------------------------------------------------------------------


def test_canonical_json_sorts_keys_and_refuses_floats_and_big_numbers():
    assert leaves.canonical({"b": 1, "a": [True, None, "聚沙"]}) == '{"a":[true,null,"聚沙"],"b":1}'.encode()
    for bad in ({"amount": 1.5}, {"n": 2**53}, {"x": b"bytes"}, {1: "key"}, {"nan": float("nan")}):
        with pytest.raises(leaves.LeafError):
            leaves.canonical(bad)


def test_leaf_build_and_parse():
    data = leaves.build("gift", {"id": "d1", "amount": 5000}, "ab" * 32)
    assert leaves.parse(data) == {"kind": "gift", "v": 1, "id": "d1", "amount": 5000, "commitment": "ab" * 32}
    for kind, public in (("Gift", {}), ("gift", {"kind": "x"}), ("gift", {"v": 2}), ("", {}), ("gift", {"blob": "x" * 70_000})):
        with pytest.raises(leaves.LeafError):
            leaves.build(kind, public)
    for raw in (b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.0}', b"[1]", b"\xff"):
        with pytest.raises(leaves.LeafError):
            leaves.parse(raw)


def test_commitments_hide_and_bind():
    salt = leaves.new_salt()
    personal = {"email": "donor@example.org", "name": "张三"}
    commit = leaves.commitment(salt, personal)
    assert "donor" not in commit and len(commit) == 64
    fact = {"commitment": commit}
    assert leaves.commitment_matches(fact, salt, personal)
    assert not leaves.commitment_matches(fact, salt, {**personal, "name": "李四"})
    assert not leaves.commitment_matches(fact, leaves.new_salt(), personal)


# --- signed notes -------------------------------------------------------------------------

# The example key and note of golang.org/x/mod/sumdb/note (Ed25519 is deterministic).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def test_signed_note_matches_the_reference_byte_for_byte():
    signer = note.parse_skey(GO_SKEY)
    assert signer.verifier.vkey == GO_VKEY and signer.skey == GO_SKEY
    assert signer.signature_line(GO_TEXT.encode()) == GO_SIG
    text, verified = note.open_note(GO_TEXT + "\n" + GO_SIG, [note.parse_vkey(GO_VKEY)])
    assert text == GO_TEXT and verified[0].name == "PeterNeumann"


def test_note_verification_rules():
    verifier = note.parse_vkey(GO_VKEY)
    other = note.Signer.generate("Other")
    signed = GO_TEXT + "\n" + GO_SIG
    # Unknown signatures are ignored; a note with only unknown ones is refused.
    assert note.open_note(signed[:-1] + "\n" + other.signature_line(GO_TEXT.encode()), [verifier])
    with pytest.raises(note.NoteError) as info:
        note.open_note(signed, [other.verifier])
    assert info.value.check == "signature"
    # A known signature that fails rejects the note.
    with pytest.raises(note.NoteError):
        note.open_note(GO_TEXT.replace("problem", "Problem", 1) + "\n" + GO_SIG, [verifier])
    for bad in ("no blank line\n— x y\n", GO_TEXT + "\n", GO_TEXT + "\n— PeterNeumann !!\n", GO_TEXT + "\x01\n" + GO_SIG):
        with pytest.raises(note.NoteError):
            note.open_note(bad, [verifier])
    for bad in ("a+b", "bad name+c74f20a3+ARpc", GO_VKEY.replace("c74f20a3", "c74f20a4"), "x+00000000+AAAA"):
        with pytest.raises(note.NoteError):
            note.parse_vkey(bad)


def test_checkpoints_and_cosignatures():
    log = note.Signer.generate("example.com/log")
    witness = note.Signer.generate("example.com/witness", note.COSIGNATURE)
    checkpoint = note.Checkpoint("example.com/log", 20852163, bytes(range(32)))
    text = checkpoint.text
    assert text == f"example.com/log\n20852163\n{base64.b64encode(bytes(range(32))).decode()}\n"
    signed = text + "\n" + log.signature_line(text.encode()) + witness.signature_line(text.encode(), 1679315147)
    parsed, cosigners = note.open_checkpoint(signed, log.verifier, cosigners=[witness.verifier])
    assert parsed == checkpoint and [c.name for c in cosigners] == ["example.com/witness"]
    with pytest.raises(note.NoteError) as info:
        note.open_checkpoint(signed, note.Signer.generate("example.com/log").verifier)
    assert info.value.check == "signature"
    with pytest.raises(note.NoteError) as info:
        note.open_checkpoint(signed, note.Signer.generate("example.com/other").verifier)
    assert info.value.check == "origin"
    for bad in ("o\n01\nAAAA\n", "o\n1\n\n", "o\n1\n" + base64.b64encode(b"short").decode() + "\n", "o\n1\n"):
        with pytest.raises(note.NoteError):
            note.parse_checkpoint(bad)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**40), st.lists(st.binary(min_size=32, max_size=32), max_size=40), st.one_of(st.none(), st.binary(max_size=300)))
def test_proof_bundles_round_trip(index, proof, extra):
    bundle = ProofBundle(index, proof, "origin\n1\n" + "A" * 43 + "=\n\n— origin AAAAAAA=\n", extra)
    assert parse_bundle(bundle.text) == bundle
