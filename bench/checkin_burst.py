"""A check-in burst: N volunteers (5,000; --quick 1,000) checking in to one shift as its
start nears, on a real server.

A fresh database and gunicorn on 127.0.0.1 (bench/server.py). Seeded: one verified
organisation's activity (through the services) whose shift starts in five minutes, with
N volunteers signed up, each with a personal API token (rows written in bulk: the seed is
not what is measured). The organiser's phone would show the shift's rotating code; the
harness computes the same code (jusha.volunteering.rules, with the shift's key) for each
scan, as the phone would show it at that instant. Then, on the same server, one after the
other:

- baseline: N x GET /healthz with the same clients (the stack's own limit for N requests);
- burst:    N x POST /api/v1/volunteering/checkins {"token"} with each volunteer's token,
            plus a replay by 2% of them (the same code scanned twice: must answer 409
            already_checked_in), all as fast as the clients go.

Prints check-ins per second, p50/p99 latency, the seconds the N check-ins took (the goal:
N within 10 minutes of the shift's start) and the ratio against the baseline. Afterwards,
in the database: exactly N check-ins, one per volunteer (none lost, none doubled), and N
sign-ups marked attended. Exits non-zero when that fails or a request errored; never on
timings.

    .venv/bin/python bench/checkin_burst.py [--quick] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/checkin_burst.py
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import SEED_ORGANISATION, BenchError, BenchServer, Client, percentile  # noqa: E402
from jusha.volunteering import rules  # noqa: E402 - pure: no Django needed

WINDOW_GOAL_S = 600  # everyone checked in within 10 minutes of the start
REPLAY_SHARE = 50  # one volunteer in 50 scans twice

_SEED = SEED_ORGANISATION + """
import secrets
from jusha.accounts.models import ApiToken, User
from jusha.volunteering import services
from jusha.volunteering.models import Signup

n = data["volunteers"]
start = timezone.now() + timedelta(minutes=5)
activity = services.activity_create(
    organisation=org, actor=owner, title="Bench burst", cause="elders", region_code="110105", place="Bench hall",
    shifts=[(start, start + timedelta(hours=3), n)])
shift = activity.shifts.get()
users = User.objects.bulk_create([User(email=f"bench-v{i}-{tag}@example.org", password="!") for i in range(n)],
                                 batch_size=1000)
users = list(User.objects.filter(email__startswith="bench-v", email__endswith=f"-{tag}@example.org").order_by("id"))
tokens = [f"bench-{i}-{secrets.token_urlsafe(16)}" for i in range(n)]
ApiToken.objects.bulk_create([ApiToken(user=u, name="bench", digest=ApiToken.digest_of(t)) for u, t in zip(users, tokens)],
                             batch_size=1000)
Signup.objects.bulk_create([Signup(shift=shift, volunteer=u, status="confirmed") for u in users], batch_size=1000)
emit({"shift": shift.pk, "key": services.shift_key(shift).hex(), "tokens": tokens})
"""

_VERIFY = """
from django.db.models import Count
from jusha.volunteering.models import CheckIn, Signup

shift = data["shift"]
checkins = CheckIn.objects.filter(shift_id=shift)
doubled = checkins.values("volunteer").annotate(n=Count("id")).filter(n__gt=1).count()
emit({"checkins": checkins.count(), "volunteers": checkins.values("volunteer").distinct().count(), "doubled": doubled,
      "attended": Signup.objects.filter(shift_id=shift, status="attended").count()})
"""


def _worker(port, jobs, threads, kind, shift_id, key_hex, out):
    """One client process: `threads` keep-alive clients sharing this process's jobs."""
    key = bytes.fromhex(key_hex)
    lock = threading.Lock()
    latencies, errors, replays = [], [], []
    queue = list(jobs)

    def loop():
        client = Client(port)
        while True:
            with lock:
                if not queue:
                    break
                token, replay = queue.pop()
            began = time.monotonic()
            if kind == "healthz":
                status, body = client.get("/healthz")
                ok = status == 200
            else:
                code = rules.token_make(key, "in", shift_id, time.time())  # what the organiser's screen shows now
                headers = {"Authorization": f"Bearer {token}"}
                status, body = client.post("/api/v1/volunteering/checkins", {"token": code}, headers)
                ok = status == 201
                if ok and replay:
                    again, body2 = client.post("/api/v1/volunteering/checkins", {"token": code}, headers)
                    replays.append(again == 409 and b"already_checked_in" in body2)
            took = time.monotonic() - began
            with lock:
                if ok:
                    latencies.append(took)
                elif len(errors) < 5:
                    errors.append(f"HTTP {status}: {body[:200]!r}")
                else:
                    errors.append("")
        client.close()

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put({"latencies": latencies, "errors": errors, "replays": replays})


def burst(port, tokens, *, kind, shift_id=0, key_hex="", clients=32, processes=4) -> dict:
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    out = ctx.Queue()
    jobs = [(token, i % REPLAY_SHARE == 0) for i, token in enumerate(tokens)]
    parts = [jobs[i::processes] for i in range(processes)]
    threads = max(1, clients // processes)
    started = time.monotonic()
    procs = [ctx.Process(target=_worker, args=(port, part, threads, kind, shift_id, key_hex, out), daemon=True)
             for part in parts]
    for p in procs:
        p.start()
    results = [out.get(timeout=1800) for _ in procs]
    elapsed = time.monotonic() - started
    for p in procs:
        p.join(timeout=10)
    latencies = [x for r in results for x in r["latencies"]]
    errors = [e for r in results for e in r["errors"]]
    replays = [x for r in results for x in r["replays"]]
    return {"ok": len(latencies), "errors": len(errors), "error_samples": [e for e in errors if e][:5],
            "seconds": round(elapsed, 2), "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0,
            "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "replays": len(replays), "replays_refused": sum(replays)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 volunteers (CI)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line of figures")
    parser.add_argument("--volunteers", type=int, default=None, help="volunteers (5,000; quick 1,000)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: CPU count)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    n = args.volunteers or (1_000 if args.quick else 5_000)
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    problems = []
    with BenchServer(workers=args.workers, threads=args.threads, keep=args.keep, quiet=args.json) as server:
        seeded = server.run_django(_SEED, {"tag": "burst", "volunteers": n}, timeout=600)
        load = {"clients": args.clients, "processes": args.client_processes}
        baseline = burst(server.port, seeded["tokens"], kind="healthz", **load)
        checkins = burst(server.port, seeded["tokens"], kind="checkin", shift_id=seeded["shift"],
                         key_hex=seeded["key"], **load)
        stored = server.run_django(_VERIFY, {"shift": seeded["shift"]})
        workers, threads, database = server.workers, server.threads, server.database_label
    for name, result in (("baseline", baseline), ("burst", checkins)):
        if result["errors"]:
            problems.append(f"{name}: {result['errors']} errors, e.g. {result['error_samples'][:2]}")
    if stored["checkins"] != n or stored["volunteers"] != n or stored["doubled"]:
        problems.append(f"stored {stored}: expected {n} check-ins, one per volunteer")
    if stored["attended"] != n:
        problems.append(f"{stored['attended']} sign-ups attended, expected {n}")
    if checkins["replays_refused"] != checkins["replays"]:
        problems.append(f"{checkins['replays'] - checkins['replays_refused']} replayed scans were not refused with 409")
    ratio = round(checkins["per_second"] / baseline["per_second"], 3) if baseline["per_second"] else None
    figures = {"bench": "checkin_burst", "quick": args.quick, "database": database, "server_workers": workers,
               "server_threads": threads, "clients": args.clients, "volunteers": n, "baseline_healthz": baseline,
               "checkins": checkins, "ratio_vs_healthz": ratio, "stored": stored,
               "within_10_minutes": checkins["seconds"] <= WINDOW_GOAL_S, "problems": problems}
    say(f"check-in burst ({'quick' if args.quick else 'full'}): {database}, gunicorn {workers}x{threads}, "
        f"{args.clients} clients, {n} volunteers on one shift")
    say(f"  healthz  {baseline['per_second']:8.1f} req/s  p50 {baseline['p50_ms']:.1f} ms  p99 {baseline['p99_ms']:.1f} ms")
    say(f"  check-in {checkins['per_second']:8.1f} /s     p50 {checkins['p50_ms']:.1f} ms  p99 {checkins['p99_ms']:.1f} ms"
        f"  ({ratio}x healthz); all {n} in {checkins['seconds']:.1f} s (goal: within {WINDOW_GOAL_S} s)")
    say(f"  stored: {stored['checkins']} check-ins for {stored['volunteers']} volunteers, {stored['doubled']} doubled, "
        f"{stored['attended']} attended; {checkins['replays_refused']}/{checkins['replays']} replayed scans refused")
    for problem in problems:
        say(f"  PROBLEM {problem}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        sys.exit(2)
