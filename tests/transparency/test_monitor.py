"""Monitoring: follow a log, verify each checkpoint against all seen before, re-hash the
entries, and raise an alarm on a fork, a rewrite or a bad signature."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from jusha.ledger.maintenance import ledger_unlocked
from jusha.transparency import monitor, note, services
from jusha.transparency.keys import log_verifier
from jusha.transparency.models import Fact, MonitoredCheckpoint, MonitoredLog
from tests.transparency.test_log import queue

pytestmark = pytest.mark.django_db
URL = "http://testserver/log"


def fetch_via(client, rewrite=None):
    def fetch(url):
        path = url.removeprefix("http://testserver")
        response = client.get(path)
        if response.status_code != 200:
            raise monitor.Alarm("unreachable", f"{path}: {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return rewrite(path, body) if rewrite else body
    return fetch


def run(client, **kwargs):
    return services.log_monitor_run(url=URL, fetch=fetch_via(client, kwargs.pop("rewrite", None)), **kwargs)


def test_following_a_growing_log(client):
    queue(300)
    services.log_sequence()
    first = run(client)
    assert "size 300" in first and "300 new entries re-hashed" in first
    queue(700, start=300)
    services.log_sequence(batch=333)
    assert "700 new entries re-hashed" in run(client)
    assert "0 new entries" in run(client)
    log = MonitoredLog.objects.get()
    assert log.size == 1000 and log.vkey == log_verifier().vkey and not log.alarm
    assert list(MonitoredCheckpoint.objects.values_list("size", flat=True).order_by("size")) == [300, 1000]


def test_a_rewritten_history_raises_the_alarm(client):
    queue(300)
    services.log_sequence()
    run(client)
    # The log changes an old entry, rebuilds its whole tree and signs it again with its own
    # key: everything it serves is self-consistent, but the old root no longer comes out.
    # (An operator who owns the database gets past its append-only guard: the monitor is
    # there for exactly that.)
    from jusha.transparency.models import Checkpoint, EntryRun, Queued, Tile

    with ledger_unlocked():
        fact = Fact.objects.get(ref="10")
        fact.leaf = bytes(fact.leaf).replace(b'"n":10', b'"n":11')
        fact.save()
        Checkpoint.objects.all().delete()
        EntryRun.objects.all().delete()
        Tile.objects.all().delete()
    Queued.objects.bulk_create([Queued(fact=f) for f in Fact.objects.all()])
    queue(20, start=300)
    services.log_sequence()
    with pytest.raises(monitor.Alarm) as info:
        run(client)
    assert info.value.kind == "rewrite" and "history before size 300 was rewritten" in str(info.value)
    assert MonitoredLog.objects.get().alarm.startswith("rewrite")


def test_an_entry_that_does_not_hash_to_its_tile_raises_the_alarm(client):
    queue(300)
    services.log_sequence()
    run(client)
    queue(20, start=300)
    services.log_sequence()
    with ledger_unlocked():  # past the database's append-only guard, as its owner could
        Fact.objects.filter(ref="310").update(leaf=b'{"kind":"test","n":999,"v":1}')
    with pytest.raises(monitor.Alarm) as info:
        run(client)
    assert info.value.kind == "rewrite" and "entry 310 does not hash" in str(info.value)


def test_a_fork_raises_the_alarm(client):
    queue(5)
    services.log_sequence()
    run(client)
    head = services.selectors.log_head()
    from jusha.transparency.keys import log_signer

    forged = note.Checkpoint(head.note.split("\n")[0], 5, bytes(32)).text
    forked_note = forged + "\n" + log_signer().signature_line(forged.encode())
    with pytest.raises(monitor.Alarm) as info:
        run(client, rewrite=lambda path, body: forked_note.encode() if path.endswith("/checkpoint") else body)
    assert info.value.kind == "fork"


def test_a_bad_signature_or_another_key_raises_the_alarm(client):
    queue(5)
    services.log_sequence()
    run(client)
    with pytest.raises(monitor.Alarm) as info:
        run(client, rewrite=lambda path, body: body.replace(b"\n5\n", b"\n6\n") if path.endswith("/checkpoint") else body)
    assert info.value.kind == "signature"
    with pytest.raises(monitor.Alarm) as info:
        run(client, vkey=note.Signer.generate("jusha.test/log").verifier.vkey)
    assert info.value.kind == "key"


def test_a_rollback_raises_the_alarm(client):
    queue(5)
    services.log_sequence()
    old = services.selectors.log_head().note
    queue(5, start=5)
    services.log_sequence()
    run(client)
    with pytest.raises(monitor.Alarm) as info:
        run(client, rewrite=lambda path, body: old.encode() if path.endswith("/checkpoint") else body)
    assert info.value.kind == "rollback"


@pytest.mark.django_db(transaction=True)
def test_the_command_against_a_live_server(live_server, settings, tmp_path, capsys):
    settings.JUSHA_LOG_MONITOR_EMAIL = ""
    queue(260)
    services.log_sequence()
    call_command("log_monitor", f"{live_server.url}/log")
    assert "OK:" in capsys.readouterr().out
    # An alarm: non-zero exit, the message, and an email.
    with pytest.raises(CommandError) as info:
        call_command("log_monitor", f"{live_server.url}/log", "--key", note.Signer.generate("jusha.test/log").verifier.vkey, "--email", "audit@example.org")
    assert info.value.returncode == 2 and "ALARM" in str(info.value)
    assert mail.outbox and mail.outbox[0].to == ["audit@example.org"]
    with pytest.raises(CommandError) as info:
        call_command("log_monitor", "http://127.0.0.1:9/log")
    assert info.value.returncode == 1
    # The short audit script from the transparency page, run as a donor would.
    import subprocess
    import sys

    script = tmp_path / "jusha-audit.py"
    script.write_bytes(Client().get("/log/audit.py").content)
    state = tmp_path / "state.txt"
    args = [sys.executable, str(script), f"{live_server.url}/log", log_verifier().vkey, str(state)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "OK: 260 entries re-hashed" in done.stdout, done.stderr
    queue(10, start=260)
    services.log_sequence()
    assert subprocess.run(args, capture_output=True, text=True, timeout=60).returncode == 0
    with ledger_unlocked():  # past the database's append-only guard, as its owner could
        Fact.objects.filter(ref="3").update(leaf=b'{"rewritten":true}')
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "FAIL" in done.stderr


def test_outbound_fetches_refuse_private_addresses(settings):
    from jusha.transparency import remote

    settings.JUSHA_ALLOW_PRIVATE_FETCH = False
    for url in ("http://127.0.0.1/log/checkpoint", "http://10.0.0.1/x", "http://[::1]/x", "file:///etc/passwd"):
        with pytest.raises(remote.FetchError):
            remote.get(url)
