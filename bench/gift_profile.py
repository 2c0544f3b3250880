"""Where a gift's CPU goes, in one process: the create request, the complete request (the
sandbox's charge, its signed notification and the acceptance) and the settler, each timed
with `time.process_time` and counted in statements, then profiled with cProfile.

Runs in one Django process against a fresh, migrated database (bench/server.py) with 20
projects and one active 1:1 matching pool, through Django's test client (the whole
middleware stack, no HTTP server): so its figures are the app's own CPU per request, without
gunicorn and without the load of concurrent clients. The giving-day bench
(bench/giving_day.py) measures the served path under load; this one says where the time
goes. Prints ms of CPU (timed without the statement capture, which formats every statement)
and statements per gift for each step (on PostgreSQL on this machine also its backend's CPU
for the step), and writes one cProfile file
per step to --out (read them with `python -m pstats FILE` or snakeviz).

    .venv/bin/python bench/gift_profile.py [--gifts N] [--batch B] [--out DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/gift_profile.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.giving_day import GIFT_CAP, GOAL, RATIO_BP, SEED_POOL, SIGNAL_ENV  # noqa: E402
from bench.server import BenchError, BenchServer  # noqa: E402

PROFILE = r"""
import cProfile, os, random, time, uuid
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jusha.giving import settle

settle._kicked["at"] = time.monotonic() + 1e9  # no kick: the settler runs below, measured
client = Client(HTTP_HOST="127.0.0.1")
rng = random.Random(7)

def create():
    slug = rng.choice(data["slugs"])
    answer = client.post(f"/api/v1/projects/{slug}/donations", {"amount": rng.randint(100, 50_000), "currency": "CNY"},
                         content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.content[:400]
    return answer.json()["id"]

def complete(gift_id):
    answer = client.post(f"/api/v1/sandbox/payments/{gift_id}/complete", {"result": "succeeded"},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json()["donation"]["status"] == "paid", answer.content[:400]

def settle_all(ids):
    for first in range(0, len(ids), data["batch"]):
        assert settle.gifts_settle(ids=ids[first:first + data["batch"]]) == len(ids[first:first + data["batch"]])

for _ in range(20):  # warm-up: the process's caches (accounts, pools, chunks) as a running app has them
    gift_id = create(); complete(gift_id); settle_all([gift_id])

n, out = data["gifts"], {}


def backend_cpu():
    # CPU seconds so far of this connection's PostgreSQL backend (on this machine), else None.
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:  # the server runs elsewhere
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def step(name, call, mode):
    # Three passes over fresh gifts: timed alone ("time"), counted ("count": the statement
    # capture formats every statement, so it is not timed), then profiled ("profile").
    if mode == "count":
        with CaptureQueriesContext(connection) as queries:
            result = call()
        out[name]["statements_per_gift"] = round(len(queries) / n, 1)
        return result
    profiler = cProfile.Profile(time.process_time) if mode == "profile" else None
    backend = backend_cpu()
    started = time.process_time()
    if profiler:
        profiler.enable()
    result = call()
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{data['out']}/{name}.prof")
    else:
        out[name] = {"cpu_ms_per_gift": round((time.process_time() - started) * 1000 / n, 2)}
        if backend is not None:
            out[name]["database_cpu_ms_per_gift"] = round((backend_cpu() - backend) * 1000 / n, 2)
    return result

for mode in ("time", "count", "profile"):
    ids = step("create", lambda: [create() for _ in range(n)], mode)
    step("complete", lambda: [complete(gift_id) for gift_id in ids], mode)
    step("settle", lambda: settle_all(ids), mode)
emit(out)
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gifts", type=int, default=300, help="gifts per step (300)")
    parser.add_argument("--batch", type=int, default=20, help="gifts per settler batch (20)")
    parser.add_argument("--out", default="", help="folder for the cProfile files (a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args(argv)
    out = Path(args.out or tempfile.mkdtemp(prefix="jusha-gift-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    env = {**SIGNAL_ENV, "JUSHA_SETTLE_KICK_SECONDS": "3600"}
    try:
        server = BenchServer(workers=1, extra_env=env)
        try:
            server.prepare()
            slugs = [p["slug"] for p in server.seed_projects(count=20, goal=GOAL, tag="hot")]
            server.run_django(SEED_POOL, {"tag": "sponsor", "budget": 10**9, "ratio_bp": RATIO_BP, "gift_cap": GIFT_CAP})
            figures = server.run_django(PROFILE, {"slugs": slugs, "gifts": args.gifts, "batch": args.batch,
                                                  "out": str(out)}, timeout=1800)
        finally:
            server.stop()
    except BenchError as exc:
        print(f"gift_profile: {exc}", file=sys.stderr)
        return 1
    total = sum(step["cpu_ms_per_gift"] for step in figures.values())
    print(f"{server.database}: app CPU per gift, in one process (no HTTP server), settler batches of {args.batch}")
    for name, step in figures.items():
        database = step.get("database_cpu_ms_per_gift")
        print(f"  {name:<9} {step['cpu_ms_per_gift']:6.2f} ms  {step['statements_per_gift']:5.1f} statements"
              + (f"  PostgreSQL backend {database:5.2f} ms" if database is not None else ""))
    print(f"  {'total':<9} {total:6.2f} ms")
    print(f"profiles: {out}/{{create,complete,settle}}.prof")
    if args.json:
        print(json.dumps({"bench": "gift_profile", "db": server.database, "batch": args.batch,
                          "total_cpu_ms_per_gift": round(total, 2), **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
