"""Transparency log sequencing: leaves integrated per second, and memory per batch, on
SQLite and (when DATABASE_URL names one) PostgreSQL.

A fresh, migrated database per engine (bench/server.py). 1 million facts (quick: 50,000)
are queued as the platform queues them (gift-sized canonical JSON leaves, a queue row
each), then the sequencer — the worker's periodic job, `log_sequence` — integrates them in
batches of JUSHA_LOG_BATCH, each batch one transaction with its signed checkpoint. One core.

Prints leaves/s for the integration (the goal: at least 50,000), and the peak memory
traced while integrating one batch into the empty tree and one into the full tree (the
goal: flat, the tree is never held in memory). Then checks the result: every fact
integrated once, the signed root equal to the root recomputed from the entries, and
proofs that verify. Exits non-zero if a check fails; never on timings.

    .venv/bin/python bench/transparency_sequencer.py [--quick] [--json] [--facts N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/transparency_sequencer.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BenchError, BenchServer  # noqa: E402

GOAL = 50_000

SNIPPET = """
import resource, time, tracemalloc
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from jusha.transparency import leaves, merkle, selectors, services
from jusha.transparency.keys import log_verifier
from jusha.transparency.note import open_checkpoint

call_command("log_keygen", verbosity=0)
batch, total = data["batch"], data["facts"]
now = timezone.now()

def queue(first, count):
    rows = []
    for i in range(first, first + count):
        public = {"id": f"{i:08x}-0000-4000-8000-{i:012x}", "receipt": f"JS2026-{i:08d}-BENCHMRK", "project": "warm-packs-for-elders",
                  "amount": 100 + i % 50_000, "currency": "CNY", "paid_at": "2026-11-21T17:03:00+08:00", "overflow": False}
        rows.append((i + 1, "gift", public["id"], leaves.build("gift", public, "%064x" % i), now))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY transparency_fact (id, kind, ref, leaf, created_at) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.cursor.copy("COPY transparency_queued (fact_id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((row[0],))
        else:
            cursor.executemany("INSERT INTO transparency_fact (id, kind, ref, leaf, created_at) VALUES (%s, %s, %s, %s, %s)", rows)
            cursor.executemany("INSERT INTO transparency_queued (fact_id) VALUES (%s)", [(r[0],) for r in rows])

def traced_batch():
    tracemalloc.start()
    done = services.log_sequence(batch=batch, budget=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return done, peak

started = time.perf_counter()
for first in range(0, total, 100_000):
    queue(first, min(100_000, total - first))
queued_in = time.perf_counter() - started
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

first_done, first_peak = traced_batch()             # one batch into the empty tree
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
integrated = services.log_sequence(batch=batch, budget=1e9)
seconds = time.perf_counter() - started
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
queue(total, batch)
last_done, last_peak = traced_batch()               # one batch into the full tree

# Checks: every fact integrated once, in a tree whose signed root the entries reproduce.
problems = []
size = total + batch
head = selectors.log_head()
checkpoint, _ = open_checkpoint(head.note, log_verifier())
if (first_done, integrated + first_done, last_done) != (batch, total, batch):
    problems.append(f"integrated {first_done} + {integrated} + {last_done}, queued {total} + {batch}")
if checkpoint.size != size or selectors.entry_count() != size:
    problems.append(f"checkpoint size {checkpoint.size}, entries {selectors.entry_count()}, queued {size}")
compact, ids = merkle.CompactRange(), set()
for first in range(0, size, 50_000):
    for leaf in selectors.entries(first, 50_000):
        compact.append(merkle.leaf_hash(leaf))
        ids.add(leaves.parse(leaf)["id"])
if compact.size != size or len(ids) != size:
    problems.append(f"{compact.size} entries read back, {len(ids)} distinct facts, {size} queued")
if compact.root() != checkpoint.root:
    problems.append("the signed root is not the root of the entries")
for index in (0, size // 3, size - 1):
    leaf = merkle.leaf_hash(selectors.entry(index))
    try:
        merkle.verify_inclusion(index, size, leaf, selectors.inclusion_proof(index, size), checkpoint.root)
    except merkle.ProofError as exc:
        problems.append(f"inclusion proof for {index}: {exc}")
emit({"queued_seconds": queued_in, "integrated": integrated, "seconds": seconds, "first_peak": first_peak, "last_peak": last_peak,
      "rss_before_kb": rss_before, "rss_after_kb": rss_after, "problems": problems})
"""


def run(engine: str, url: str, facts: int, batch: int, timeout: float) -> dict:
    server = BenchServer(database_url=url)
    try:
        server.prepare()
        server.env["JUSHA_LOG_ORIGIN"] = "bench.jusha.localhost/log"
        server.say(f"{engine}: queuing {facts:,} facts, then integrating them in batches of {batch:,}")
        result = server.run_django(SNIPPET, {"facts": facts, "batch": batch}, timeout=timeout)
    finally:
        server.stop()
    result["engine"], result["label"] = engine, server.database_label
    result["rate"] = result["integrated"] / result["seconds"]
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 facts in batches of 10,000 (CI)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--facts", type=int, default=None, help="facts to integrate (1,000,000; quick 50,000)")
    parser.add_argument("--batch", type=int, default=None, help="facts per sequencer transaction (JUSHA_LOG_BATCH: 20,000; quick 10,000)")
    args = parser.parse_args(argv)
    facts = args.facts or (50_000 if args.quick else 1_000_000)
    args.batch = args.batch or (10_000 if args.quick else 20_000)
    engines = [("sqlite", "")]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        engines.append(("postgresql", os.environ["DATABASE_URL"]))
    else:
        print("(PostgreSQL skipped: set DATABASE_URL=postgres://... to measure it too)")
    results, failed = [], False
    try:
        for engine, url in engines:
            results.append(run(engine, url, facts, args.batch, timeout=300 if args.quick else 3600))
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    print(f"\nTransparency log sequencing: {facts:,} facts, batches of {args.batch:,}, one core")
    for r in results:
        print(f"  {r['label']}")
        print(f"    integrated      {r['integrated']:>10,} leaves in {r['seconds']:.2f} s = {r['rate']:,.0f} leaves/s "
              f"({'meets' if r['rate'] >= GOAL else 'BELOW'} the {GOAL:,}/s goal)")
        print(f"    queuing         {facts:,} facts in {r['queued_seconds']:.1f} s (bulk, outside the measurement)")
        print(f"    memory/batch    peak {r['first_peak'] / 2**20:.1f} MiB into the empty tree, "
              f"{r['last_peak'] / 2**20:.1f} MiB into the tree of {facts:,} (traced allocations)")
        print(f"    peak RSS        {r['rss_before_kb'] / 1024:.0f} MiB before integrating (queuing included), {r['rss_after_kb'] / 1024:.0f} MiB after")
        for problem in r["problems"]:
            print(f"    PROBLEM: {problem}")
            failed = True
        if not r["problems"]:
            print("    checks          every fact integrated once; signed root = root of the entries; proofs verify")
    if args.json:
        print(json.dumps({"benchmark": "transparency_sequencer", "facts": facts, "batch": args.batch,
                          "results": [{k: v for k, v in r.items() if k != "problems"} | {"problems": len(r["problems"])} for r in results]}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
