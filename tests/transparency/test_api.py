"""Serving the log: checkpoint, key, tiles (C2SP tlog-tiles) and the JSON proofs, with
every kind of bad input answered per the conventions."""

import base64
import gzip

import pytest

from jusha.transparency import merkle, note, selectors, services, tiles
from jusha.transparency.keys import log_verifier
from jusha.transparency.monitor import entries_from_bundle
from tests.transparency.test_log import leaf_hashes, queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def log600():
    queue(600)
    services.log_sequence(batch=250)
    return leaf_hashes()


def b64list(values):
    return [base64.b64decode(v) for v in values]


def test_checkpoint_and_key(client, log600):
    response = client.get("/log/checkpoint")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=2" in response["Cache-Control"]
    checkpoint, _ = note.open_checkpoint(response.content.decode(), note.parse_vkey(client.get("/log/key").content.decode()))
    assert checkpoint.size == 600 and checkpoint.root == merkle.root_from_hashes(log600) and checkpoint.origin == "jusha.test/log"
    assert client.get("/log/key").content.decode().strip() == log_verifier().vkey


def test_empty_log_has_no_checkpoint_yet(client):
    assert client.get("/log/checkpoint").status_code == 404


def test_tiles_and_entry_bundles(client, log600):
    full = client.get("/log/tile/0/001")
    assert full.status_code == 200 and full["Content-Type"] == "application/octet-stream"
    assert "immutable" in full["Cache-Control"] and full.content == b"".join(log600[256:512])
    partial = client.get("/log/tile/0/002.p/88")
    assert partial.content == b"".join(log600[512:600])
    assert client.get("/log/tile/0/002.p/10").content == b"".join(log600[512:522])  # a smaller size's tile
    assert client.get("/log/tile/1/000.p/2").content == merkle.root_from_hashes(log600[:256]) + merkle.root_from_hashes(log600[256:512])
    bundle = client.get("/log/tile/entries/002.p/88")
    assert [merkle.leaf_hash(e) for e in entries_from_bundle(bundle.content)] == log600[512:600]
    zipped = client.get("/log/tile/entries/000", HTTP_ACCEPT_ENCODING="gzip, identity")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert [merkle.leaf_hash(e) for e in entries_from_bundle(gzip.decompress(zipped.content))] == log600[:256]


@pytest.mark.parametrize(("path", "status"), [
    ("0/002", 404),            # not full yet
    ("0/002.p/89", 404),       # wider than the tree
    ("0/003.p/1", 404),        # beyond the tree
    ("1/000", 404),
    ("2/000.p/1", 404),
    ("entries/002", 404),
    ("entries/x001/000", 404),
    ("0/2", 400), ("0/0002", 400), ("01/000", 400), ("64/000", 400), ("0/x000/002", 400),
    ("0/000.p/0", 400), ("0/000.p/256", 400), ("0/000.p/abc", 400), ("zero/000", 400), ("0/000/", 400),
])
def test_bad_tile_paths(client, log600, path, status):
    response = client.get(f"/log/tile/{path}")
    assert response.status_code == status, response.content
    assert "immutable" not in response["Cache-Control"]


def test_inclusion_and_consistency_proofs(client, log600):
    root = merkle.root_from_hashes(log600)
    body = client.get("/api/v1/log/proof/inclusion?index=300&size=600").json()
    assert body["index"] == 300 and body["size"] == 600
    merkle.verify_inclusion(300, 600, log600[300], b64list(body["hashes"]), root)
    body = client.get("/api/v1/log/proof/inclusion", {"index": 3, "size": 7}).json()
    merkle.verify_inclusion(3, 7, log600[3], b64list(body["hashes"]), merkle.root_from_hashes(log600[:7]))
    body = client.get("/api/v1/log/proof/consistency?from=257&to=600").json()
    assert body["from"] == 257 and body["to"] == 600
    merkle.verify_consistency(257, 600, b64list(body["hashes"]), merkle.root_from_hashes(log600[:257]), root)
    assert client.get("/api/v1/log/proof/consistency?from=600&to=600").json()["hashes"] == []


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/api/v1/log/proof/inclusion?index=600&size=600", 422, "index_not_below_size"),
    ("/api/v1/log/proof/inclusion?index=5&size=601", 404, "beyond_tree"),
    ("/api/v1/log/proof/inclusion?index=5&size=0", 422, "invalid"),
    ("/api/v1/log/proof/inclusion?index=-1&size=5", 422, "invalid"),
    ("/api/v1/log/proof/inclusion?index=abc&size=5", 422, "invalid"),
    ("/api/v1/log/proof/inclusion?index=1.5&size=5", 422, "invalid"),
    ("/api/v1/log/proof/inclusion?size=5", 422, "invalid"),
    ("/api/v1/log/proof/inclusion?index=1&size=99999999999999999999999", 422, "invalid"),
    ("/api/v1/log/proof/consistency?from=0&to=10", 422, "invalid"),
    ("/api/v1/log/proof/consistency?from=11&to=10", 422, "from_after_to"),
    ("/api/v1/log/proof/consistency?from=10&to=601", 404, "beyond_tree"),
    ("/api/v1/log/proof/consistency?from=x&to=10", 422, "invalid"),
    ("/api/v1/log/entries/600", 404, "not_found"),
    ("/api/v1/log/entries/-1", 404, "not_found"),
    ("/api/v1/log/entries/99999999999999999999", 404, "not_found"),
    ("/api/v1/log/entries/abc", 422, "invalid"),
])
def test_bad_proof_and_entry_requests(client, log600, url, status, code):
    response = client.get(url)
    assert response.status_code == status and response.json()["code"] == code


def test_entries(client, log600):
    body = client.get("/api/v1/log/entries/42").json()
    leaf = base64.b64decode(body["leaf"])
    assert body["index"] == 42 and merkle.leaf_hash(leaf) == log600[42]
    assert body["fact"] == {"kind": "test", "v": 1, "id": "42", "n": 42}


def test_tile_requests_do_not_grow_with_the_tree(client, log600, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/log/tile/entries/001")
    with django_assert_max_num_queries(2):
        client.get("/api/v1/log/proof/inclusion?index=300&size=600")


def test_openapi_lists_the_log(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/v1/log/proof/inclusion", "/api/v1/log/proof/consistency", "/api/v1/log/entries/{index}"):
        assert path in paths


def test_tile_paths_in_the_spec_form():
    assert tiles.TileRef(0, 1234067).path == "tile/0/x001/x234/067"
    assert selectors.tile_data(0, 99, 1) is None
