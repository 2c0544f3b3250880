"""Witnessing (C2SP tlog-witness): our witness cosigns listed logs only, consistently;
configured witnesses' cosignatures are attached to our checkpoints."""

import base64

import pytest

from jusha.transparency import merkle, note, selectors, services
from jusha.transparency.keys import log_verifier, witness_signer
from jusha.transparency.models import Checkpoint, WitnessedLog, WitnessState
from jusha.transparency.verify import verify
from tests.factories import give
from tests.transparency.test_log import leaf_hashes, queue

pytestmark = pytest.mark.django_db
URL = "/log/witness/add-checkpoint"


class OtherLog:
    """Another platform's log, in memory."""

    def __init__(self, origin="other.example/log"):
        self.signer = note.Signer.generate(origin)
        self.leaves = []

    def grow(self, n):
        self.leaves += [merkle.leaf_hash(f"{len(self.leaves) + i}".encode()) for i in range(n)]

    def checkpoint(self, size=None, root=None, signer=None):
        size = len(self.leaves) if size is None else size
        text = note.Checkpoint(self.signer.name, size, root or merkle.root_from_hashes(self.leaves[:size])).text
        return text + "\n" + (signer or self.signer).signature_line(text.encode())

    def body(self, old, size=None, proof=None, **kwargs):
        size = len(self.leaves) if size is None else size
        if proof is None:
            proof = merkle.consistency_proof(old, size, merkle.list_node_reader(self.leaves)) if 0 < old < size else []
        return f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + self.checkpoint(size, **kwargs)


@pytest.fixture
def other(settings):
    log = OtherLog()
    settings.JUSHA_WITNESS_LOGS = [log.signer.verifier.vkey]
    return log


def post(client, body):
    return client.post(URL, body, content_type="text/plain")


def test_witness_cosigns_consistent_checkpoints(client, other):
    other.grow(10)
    response = post(client, other.body(0))
    assert response.status_code == 200, response.content
    cosigned = other.checkpoint() + response.content.decode()
    checkpoint, cosigners = note.open_checkpoint(cosigned, other.signer.verifier, cosigners=[witness_signer().verifier])
    assert checkpoint.size == 10 and [c.name for c in cosigners] == ["jusha.test/witness"]
    other.grow(7)
    assert post(client, other.body(10)).status_code == 200
    assert post(client, other.body(17)).status_code == 200  # the same checkpoint again
    assert WitnessedLog.objects.get().size == 17
    assert client.get("/log/witness/key").content.decode().strip() == witness_signer().verifier.vkey


def test_stale_old_size_is_409_with_the_size_held(client, other):
    other.grow(10)
    post(client, other.body(0))
    other.grow(5)
    response = post(client, other.body(3))
    assert response.status_code == 409 and response["Content-Type"] == "text/x.tlog.size"
    assert response.content == b"10\n"
    assert post(client, other.body(0)).status_code == 409


def test_refusals(client, other):
    other.grow(10)
    post(client, other.body(0))
    other.grow(6)
    unlisted = OtherLog("unlisted.example/log")
    unlisted.grow(3)
    assert post(client, unlisted.body(0)).status_code == 403
    assert post(client, other.body(10, signer=note.Signer.generate("other.example/log"))).status_code == 403  # not its key
    assert post(client, other.body(17, size=16)).status_code == 400  # old above the checkpoint
    assert post(client, "not a witness request").status_code == 400
    assert post(client, "old 10\n!!!\n\n" + other.checkpoint()).status_code == 400
    bad_proof = [bytes(32)] * len(merkle.consistency_proof(10, 16, merkle.list_node_reader(other.leaves)))
    assert post(client, other.body(10, proof=bad_proof)).status_code == 422
    forked = post(client, other.body(10, size=10, root=bytes(32)))  # same size, another root
    assert forked.status_code == 409 and forked.json()["code"] == "root_mismatch"
    assert client.get(URL).status_code == 405
    assert WitnessedLog.objects.get().size == 10  # nothing refused changed what the witness holds


def test_configured_witnesses_cosign_our_checkpoints(client, project, settings):
    """Our log asks a witness (here: our own witness endpoint, listing our log)."""
    settings.JUSHA_WITNESS_LOGS = [log_verifier().vkey]
    witness = witness_signer().verifier
    settings.JUSHA_LOG_WITNESSES = [(witness.vkey, "http://witness.example/log/witness")]
    calls = []

    def fake_post(url, body):
        calls.append(url)
        response = client.post("/log/witness/add-checkpoint", body, content_type="text/plain")
        return response.status_code, response.content.decode()

    gift = give(project, 1200)
    services.log_sequence()
    assert services.log_witness_collect(post=fake_post) == 1
    assert calls == ["http://witness.example/log/witness/add-checkpoint"]
    head = selectors.log_head()
    _checkpoint, cosigners = note.open_checkpoint(head.note, log_verifier(), cosigners=[witness])
    assert [c.name for c in cosigners] == [witness.name]
    assert services.log_witness_collect(post=fake_post) == 0  # already cosigned
    queue(40)
    services.log_sequence()
    WitnessState.objects.update(size=0)  # we forgot what it holds: it tells us (409), we retry
    assert services.log_witness_collect(post=fake_post) == 1
    assert Checkpoint.objects.get(size=41).note.count("\u2014") == 2
    # The receipt's bundle carries the cosignature; a donor can require it.
    bundle = client.get(f"/log/receipts/{gift.pk}.tlog-proof").content.decode()
    result = verify(bundle, key=log_verifier().vkey, witnesses=[witness.vkey], quorum=1)
    assert result.cosigners == [witness.name] and leaf_hashes()


def test_a_witness_that_is_down_is_skipped(project, settings):
    settings.JUSHA_LOG_WITNESSES = [(witness_signer().verifier.vkey, "http://witness.example")]
    give(project, 100)
    services.log_sequence()

    def down(url, body):
        raise OSError("connection refused")

    assert services.log_witness_collect(post=down) == 0
    assert services.log_witness_collect(post=lambda url, body: (500, "oops")) == 0
