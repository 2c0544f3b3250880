"""Transparency log serving: tile, entry-bundle and checkpoint requests per second from the
real server (gunicorn on 127.0.0.1, bench/server.py), with p50/p99 latency.

A fresh database; 200,000 facts (quick: 20,000) queued and integrated by the sequencer.
Then concurrent keep-alive clients fetch, phase by phase: random full hash tiles (level 0
and 1), random full entry bundles (uncompressed), and the checkpoint — what monitors,
auditors and CDNs ask for — and, for scale, /healthz (the stack's own per-request cost).
Every answer is checked (status 200, the exact size). No CDN in front: with one, full
tiles are cached forever and these figures are the origin's load.

    .venv/bin/python bench/transparency_tiles.py [--quick] [--json] [--clients N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BenchError, BenchServer, run_load  # noqa: E402

SEED = """
import time
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from jusha.transparency import leaves, services

call_command("log_keygen", verbosity=0)
now = timezone.now()
rows = [(i + 1, "gift", str(i), leaves.build("gift", {"id": str(i), "amount": 100 + i % 9_000, "currency": "CNY",
         "receipt": f"JS2026-{i:08d}-BENCHMRK", "project": "warm-packs"}), now) for i in range(data["facts"])]
with transaction.atomic(), connection.cursor() as cursor:
    cursor.executemany("INSERT INTO transparency_fact (id, kind, ref, leaf, created_at) VALUES (%s, %s, %s, %s, %s)", rows)
    cursor.executemany("INSERT INTO transparency_queued (fact_id) VALUES (%s)", [(r[0],) for r in rows])
    if connection.vendor == "postgresql":
        cursor.execute("SELECT setval(pg_get_serial_sequence('transparency_fact', 'id'), %s)", [data["facts"]])
started = time.perf_counter()
emit({"integrated": services.log_sequence(budget=1e9), "seconds": time.perf_counter() - started})
"""


def fetch(client, rng, targets):
    """One GET of a random target (path, exact size or 0 for any)."""
    path, size = rng.choice(targets)
    status, body = client.get(path)
    if status != 200 or (size and len(body) != size):
        return False, None, {"kind": f"HTTP {status}, {len(body)} bytes", "request": f"GET {path}", "status": status,
                             "body": body[:200].decode("utf-8", "replace")}
    return True, None, None


def encode(n: int) -> str:
    parts = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        parts.append(f"x{n % 1000:03d}")
    return "/".join(reversed(parts))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 facts, short phases (CI)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--facts", type=int, default=None, help="facts in the log (200,000; quick 20,000)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=None, help="seconds measured per phase (15; quick 4)")
    args = parser.parse_args(argv)
    facts = args.facts or (20_000 if args.quick else 200_000)
    duration = args.duration or (4.0 if args.quick else 15.0)
    warmup = 1.0 if args.quick else 3.0
    full = facts // 256
    phases = {
        "hash tiles": [(f"/log/tile/0/{encode(n)}", 8192) for n in range(full)] + [(f"/log/tile/1/000.p/{min(full, 255)}", 32 * min(full, 255))],
        "entry bundles": [(f"/log/tile/entries/{encode(n)}", 0) for n in range(full)],
        "checkpoint": [("/log/checkpoint", 0)],
        "(/healthz)": [("/healthz", 0)],  # the stack's own limit: one SELECT 1 per request
    }
    results = {}
    try:
        with BenchServer() as server:
            seeded = server.run_django(SEED, {"facts": facts}, timeout=600)
            server.say(f"{seeded['integrated']:,} facts integrated in {seeded['seconds']:.1f} s; {full:,} full tiles")
            for name, targets in phases.items():
                server.say(f"{name}: {args.clients} clients, {warmup:g} s warm-up + {duration:g} s")
                result = run_load(port=server.port, task=fetch, task_args=(targets,), clients=args.clients,
                                  processes=args.client_processes, warmup=warmup, duration=duration)
                results[name] = result
            label, workers, threads = server.database_label, server.workers, server.threads
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    print(f"\nTransparency log serving: gunicorn {workers} workers x {threads} threads on {label}; "
          f"{args.clients} keep-alive clients; a log of {facts:,} entries")
    failed = False
    figures = {}
    for name, r in results.items():
        figures[name] = {"per_second": r.per_second, "p50_ms": r.latency_ms(50), "p99_ms": r.latency_ms(99), "errors": r.error_total}
        print(f"  {name:<14} {r.per_second:>8,.0f} requests/s   p50 {r.latency_ms(50):.1f} ms   p99 {r.latency_ms(99):.1f} ms   "
              f"errors {r.error_total}")
        for error in r.errors[:3]:
            print(f"    ERROR: {error}")
        failed |= r.error_total > 0 or not r.window_ok
    if args.json:
        print(json.dumps({"benchmark": "transparency_tiles", "facts": facts, "results": figures}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
