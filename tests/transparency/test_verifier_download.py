"""The offline verifier as one downloadable file: served from the transparency page, the
same as a fresh build of the modules it is made of, its SHA-256 the one the docs publish;
run on its own (no repository, no Django) it verifies a real receipt bundle in Chinese or
English and refuses a tampered one naming the failed check."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jusha.transparency import services, standalone
from jusha.transparency.keys import log_verifier
from tests.factories import give

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_file_is_a_fresh_build_and_its_checksum_is_published():
    assert standalone.BUILT.read_text(encoding="utf-8") == standalone.build(), (
        "rebuild it: .venv/bin/python -m jusha.transparency.standalone > jusha/transparency/jusha_verify.py")
    docs = (ROOT / "docs" / "transparency.md").read_text(encoding="utf-8")
    published = re.search(r"<!-- verifier-sha256 -->\s*`([0-9a-f]{64})`", docs).group(1)
    assert published == hashlib.sha256(standalone.BUILT.read_bytes()).hexdigest(), "put the new SHA-256 in docs/transparency.md"


@pytest.fixture
def downloaded(client, tmp_path):
    """The page links the file; the file downloads, with the checksum the page shows."""
    page = client.get("/log/").content.decode()
    assert 'href="/log/jusha-verify.py"' in page
    response = client.get("/log/jusha-verify.py")
    assert response.status_code == 200 and 'filename="jusha-verify.py"' in response["Content-Disposition"]
    assert hashlib.sha256(response.content).hexdigest() in page
    script = tmp_path / "jusha-verify.py"
    script.write_bytes(response.content)
    return script


@pytest.fixture
def bundle(project, client, tmp_path):
    gifts = [give(project, 2000 + i) for i in range(4)]
    services.log_sequence()
    gift = gifts[2]
    response = client.get(f"/log/receipts/{gift.pk}.tlog-proof")
    assert response.status_code == 200
    path = tmp_path / f"jusha-{gift.receipt_number}.tlog-proof"
    path.write_bytes(response.content)
    return gift, path


def run(script, *args):
    # Another directory and a bare environment: nothing of the repository on the path.
    return subprocess.run([sys.executable, "-I", str(script), *args], cwd=script.parent, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)


def test_the_downloaded_file_verifies_a_real_receipt_and_refuses_a_tampered_one(downloaded, bundle):
    gift, path = bundle
    key = log_verifier().vkey
    done = run(downloaded, path.name, "--key", key, "--receipt", gift.receipt_number, "--amount", str(gift.amount))
    assert done.returncode == 0, done.stderr
    assert "通过：日志 jusha.test/log 签署了一个含 4 条记录的检查点（签名已核验）。" in done.stdout
    assert f"收据编号 {gift.receipt_number}" in done.stdout and "金额（分） 2002" in done.stdout

    done = run(downloaded, path.name, "--key", key, "--lang", "en")
    assert done.returncode == 0 and "OK: entry 2 is included in that checkpoint" in done.stdout, done.stderr
    assert "Note: compare the entry with your receipt" in done.stdout

    # The amount changed in the entry: the proof no longer holds.
    text = path.read_text()
    tampered = path.with_name("tampered.tlog-proof")
    tampered.write_text(text.replace("\nindex 2\n", "\nindex 1\n"))
    done = run(downloaded, tampered.name, "--key", key)
    assert done.returncode == 7 and "未通过：包含证明检查（FAILED check inclusion）" in done.stderr and not done.stdout
    # Someone else's receipt number: the facts check.
    done = run(downloaded, path.name, "--key", key, "--receipt", "JS2026-NOT-MINE", "--lang", "en")
    assert done.returncode == 8 and "FAILED check facts" in done.stderr


def test_the_receipt_tells_the_donor_to_run_that_file(client, bundle):
    gift, _path = bundle
    session = client.session
    html = client.get(f"/donations/{gift.pk}/").content.decode()
    assert 'href="/log/jusha-verify.py"' in html
    assert f"python jusha-verify.py jusha-{gift.receipt_number}.tlog-proof --key" in html
    assert "-m jusha.transparency.verify" not in html
    del session
