"""Receipts that verify offline: the bundle, the standalone verifier, and tampering."""

import subprocess
import sys
from pathlib import Path

import pytest

from jusha.transparency import note, selectors, services
from jusha.transparency.keys import log_signer, log_verifier
from jusha.transparency.verify import VerifyError, main, verify
from tests.factories import give

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receipt(project, client):
    gifts = [give(project, 1000 + i) for i in range(5)]
    services.log_sequence()
    gift = gifts[3]
    response = client.get(f"/log/receipts/{gift.pk}.tlog-proof")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert f"jusha-{gift.receipt_number}.tlog-proof" in response["Content-Disposition"]
    return gift, response.content.decode()


def expect(gift):
    return {"receipt": gift.receipt_number, "amount": gift.amount}


def test_the_bundle_verifies_and_says_what_it_checked(receipt):
    gift, text = receipt
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra ") and "\nindex 3\n" in text
    result = verify(text, key=log_verifier().vkey, expect=expect(gift))
    assert result.index == 3 and result.size == 5 and result.fact["receipt"] == gift.receipt_number
    assert "entry 3 is included" in result.summary()


def test_the_verifier_needs_neither_django_nor_the_database(receipt, tmp_path):
    gift, text = receipt
    bundle = tmp_path / "r.tlog-proof"
    bundle.write_text(text)
    script = ("import runpy, sys; sys.argv = sys.argv[1:]; "
              "exec(\"try:\\n    runpy.run_module('jusha.transparency.verify', run_name='__main__')\\n"
              "finally:\\n    assert not [m for m in sys.modules if m.startswith('django')], 'django imported'\")")
    args = [sys.executable, "-c", script, "verify", str(bundle), "--key", log_verifier().vkey, "--lang", "en",
            "--receipt", gift.receipt_number, "--amount", str(gift.amount)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "OK: the log jusha.test/log signed a checkpoint of 5 entries" in done.stdout
    done = subprocess.run(args[:-1] + ["1"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 8 and "FAILED check facts" in done.stderr


def test_every_single_bit_flip_is_rejected(receipt):
    gift, text = receipt
    data, key = text.encode(), log_verifier().vkey
    rejected = {}
    for position in range(len(data)):
        for bit in range(8):
            tampered = bytearray(data)
            tampered[position] ^= 1 << bit
            try:
                verify(bytes(tampered).decode("utf-8"), key=key, expect=expect(gift))
            except (VerifyError, UnicodeDecodeError) as exc:
                rejected[getattr(exc, "check", "format")] = rejected.get(getattr(exc, "check", "format"), 0) + 1
            else:
                pytest.fail(f"a flip of bit {bit} of byte {position} ({data[position:position + 1]!r}) went unnoticed")
    assert {"format", "signature", "inclusion"} <= set(rejected)


def test_wrong_key_other_origin_and_strangers(receipt, settings):
    gift, text = receipt
    with pytest.raises(VerifyError) as info:
        verify(text, key=note.Signer.generate("jusha.test/log").verifier.vkey)
    assert info.value.check == "signature"
    with pytest.raises(VerifyError) as info:
        verify(text, key=note.Signer.generate("other.example/log").verifier.vkey)
    assert info.value.check == "origin"
    # A checkpoint of another log, signed by that log's key: refused for its origin.
    other = note.Signer.generate("other.example/log")
    bundle_head, checkpoint = text.split("\n\n", 1)
    foreign = note.Checkpoint("other.example/log", 5, selectors.log_head().root).text
    forged = bundle_head + "\n\n" + foreign + "\n" + other.signature_line(foreign.encode())
    with pytest.raises(VerifyError) as info:
        verify(forged, key=log_verifier().vkey)
    assert info.value.check == "origin"
    # Signature lines by keys the donor did not give are not silently ignored.
    stranger = note.Signer.generate("stranger.example/witness", note.COSIGNATURE)
    cosigned = text + stranger.signature_line(checkpoint.split("\n\n")[0].encode() + b"\n", 1)
    with pytest.raises(VerifyError) as info:
        verify(cosigned, key=log_verifier().vkey)
    assert info.value.check == "signature"
    result = verify(cosigned, key=log_verifier().vkey, witnesses=[stranger.verifier.vkey], quorum=1)
    assert result.cosigners == ["stranger.example/witness"]
    with pytest.raises(VerifyError) as info:
        verify(text, key=log_verifier().vkey, quorum=1)
    assert info.value.check == "witnesses"


def test_cli_exit_codes_name_the_failed_check(receipt, tmp_path, capsys):
    gift, text = receipt
    path = tmp_path / "bundle"
    path.write_text(text.replace("index 3", "index 2"))
    assert main([str(path), "--key", log_verifier().vkey]) == 7
    err = capsys.readouterr().err
    assert "未通过：包含证明检查（FAILED check inclusion）" in err and "文件被改动过" in err  # Chinese by default
    assert main([str(path), "--key", log_verifier().vkey, "--lang", "en"]) == 7
    assert "FAILED check inclusion" in capsys.readouterr().err
    path.write_text("garbage")
    assert main([str(path), "--key", log_verifier().vkey]) == 2
    keyfile = tmp_path / "key"
    keyfile.write_text(log_verifier().vkey + "\n")
    path.write_text(text)
    assert main([str(path), "--key", str(keyfile)]) == 0
    assert "加上 --receipt 和 --amount" in capsys.readouterr().out
    assert log_signer().name == "jusha.test/log"


def test_bundles_only_for_gifts_in_the_log(client, project):
    pending = give(project, 100, result=None)
    paid = give(project, 200)
    assert client.get(f"/log/receipts/{pending.pk}.tlog-proof").status_code == 404
    assert client.get(f"/log/receipts/{paid.pk}.tlog-proof").status_code == 404  # queued, not yet integrated
    services.log_sequence()
    assert client.get(f"/log/receipts/{paid.pk}.tlog-proof").status_code == 200
