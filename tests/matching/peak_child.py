"""An app process for the crash test in test_peak.py: pays a list of gifts, several at a time.

Run as `python -m tests.matching.peak_child INTENTS_FILE THREADS` with DJANGO_SETTINGS_MODULE
and DATABASE_URL naming the test database. INTENTS_FILE holds one sandbox intent id per
line. Each worker thread completes intents from the shared list through the sandbox (the
signed notification is handled in this process, as an app server would) and prints
`paid <intent_id> <duplicate>` once the platform has answered, so the test knows which
gifts this process acknowledged before it was killed. The test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import queue
import sys
import threading


def main(path: str, threads: int) -> int:
    import django

    django.setup()
    from django.db import connections

    from jusha.payments.sandbox import SandboxProvider

    with open(path) as f:
        jobs: queue.Queue[str] = queue.Queue()
        for line in f:
            if line.strip():
                jobs.put(line.strip())
    out = threading.Lock()
    failures = []

    def say(line: str) -> None:
        with out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def work() -> None:
        try:
            while True:
                try:
                    intent_id = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    status, body = SandboxProvider().complete(intent_id, "succeeded")
                except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
                    failures.append(exc)
                    say(f"error {intent_id} {type(exc).__name__}: {exc}".replace("\n", " "))
                    continue
                say(f"paid {intent_id} {status} {body.get('duplicate')}")
        finally:
            connections.close_all()

    say(f"ready {os.getpid()}")
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    say("done")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
