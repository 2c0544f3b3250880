"""Donations under load: gifts per second on a real multi-process server, against a bare baseline.

A fresh database and gunicorn on 127.0.0.1 (bench/server.py). 32 concurrent clients create
and pay gifts across a few hot projects: each gift is POST /api/v1/projects/{slug}/donations
(with an Idempotency-Key) and POST /api/v1/sandbox/payments/{id}/complete, which settles the
sandbox charge, delivers the signed notification in-process and answers once the platform
recorded the gift. Then, on the same server, the same clients run the bare path: the same
number of HTTP requests per gift, each writing one row and nothing else (POST /bench/bare).

Prints gifts/s, p50/p99 of a gift (both requests), the bare rate and the ratio real/bare;
then checks, against the database: every gift the clients saw paid is paid, and nothing
else is; each paid gift is in the journal exactly once; each project's raised total equals
its paid gifts; `ledger_problems()` finds nothing. Exits non-zero if a request errored or an
invariant failed; never on timings.

    .venv/bin/python bench/donations.py [--quick] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/donations.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (  # noqa: E402
    VERIFY_COMMON,
    BenchError,
    BenchServer,
    add_load_arguments,
    bare_gift,
    create_gift,
    pay_gift,
    phase_times,
    run_load,
)

GOAL = 10**10  # fen: the largest goal the platform accepts (100 million yuan); never filled here


def gift(client, rng, slugs):
    """One gift: create, then pay through the sandbox. (ok, payload, error)."""
    slug = rng.choice(slugs)
    amount = rng.randint(100, 50_000)
    created, error = create_gift(client, slug, amount, str(uuid.uuid4()))
    if error:
        return False, None, error
    donation_id = created["id"]
    _answer, error = pay_gift(client, f"/api/v1/sandbox/payments/{donation_id}/complete")
    if error:
        return False, None, error
    return True, (donation_id, slug, amount), None


VERIFY = """
from collections import Counter, defaultdict
from django.db.models import Count
from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.projects.models import Project

problems = []
seen = {d: (slug, amount) for d, slug, amount in data["paid"]}
if len(seen) != len(data["paid"]):
    problems.append(f"the clients saw {len(data['paid']) - len(seen)} donation ids paid twice")
statuses = dict(Donation.objects.values_list("status").annotate(n=Count("id")).order_by())
slug_of = dict(Project.objects.values_list("id", "slug"))
paid = {
    str(i): (slug_of[p], a)
    for i, p, a in Donation.objects.filter(status="paid").values_list("id", "project_id", "amount")
}
if len(paid) != len(seen):
    problems.append(f"{len(paid)} donations are paid in the database but the clients saw {len(seen)} gifts succeed")
missing = sorted(set(seen) - set(paid))
extra = sorted(set(paid) - set(seen))
if missing:
    problems.append(f"{len(missing)} gifts the clients saw paid are not paid in the database, e.g. {missing[:3]}")
if extra:
    problems.append(f"{len(extra)} paid donations were not seen paid by any client, e.g. {extra[:3]}")
differ = [d for d in set(seen) & set(paid) if seen[d] != paid[d]]
if differ:
    problems.append(f"{len(differ)} paid donations differ from what was asked (project or amount), e.g. {differ[:3]}")

entries = Counter(JournalEntry.objects.filter(kind="gift").values_list("reference", flat=True))
not_once = [d for d in paid if entries.get(d, 0) != 1]
if not_once:
    problems.append(
        f"{len(not_once)} paid gifts are not in the journal exactly once, e.g. "
        + ", ".join(f"{d} x{entries.get(d, 0)}" for d in not_once[:3])
    )
orphans = [ref for ref in entries if ref not in paid]
if orphans:
    problems.append(f"{len(orphans)} gift entries have no paid donation, e.g. {orphans[:3]}")

project_ids = data["project_ids"]
sums = project_sums(project_ids)
paid_by_project = defaultdict(int)
for slug, amount in paid.values():
    paid_by_project[slug] += amount
seen_by_project = defaultdict(int)
for slug, amount in seen.values():
    seen_by_project[slug] += amount
totals = {}
for pid in project_ids:
    slug = slug_of[pid]
    raised = sums[pid].raised
    totals[slug] = raised
    if raised != paid_by_project[slug]:
        problems.append(f"project {slug}: journal raised {raised} != paid gifts {paid_by_project[slug]}")
    if raised != seen_by_project[slug]:
        problems.append(f"project {slug}: journal raised {raised} != gifts the clients paid {seen_by_project[slug]}")
""" + VERIFY_COMMON + """
emit({"problems": problems, "statuses": statuses, "raised": totals, "paid": len(paid), "bench_rows": bench_rows})
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases (CI): the whole run well under 60 s")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    add_load_arguments(parser)
    args = parser.parse_args(argv)
    duration, warmup = phase_times(args)
    began = time.monotonic()

    try:
        with BenchServer(workers=args.workers, threads=args.threads, keep=args.keep) as server:
            projects = server.seed_projects(count=args.projects, goal=GOAL)
            slugs = [p["slug"] for p in projects]
            server.say(f"seeded {len(slugs)} hot projects: {', '.join(slugs)}")
            load = dict(
                port=server.port,
                clients=args.clients,
                processes=args.client_processes,
                warmup=warmup,
                duration=duration,
            )

            cpu = {}

            def phase(name, **kw):
                server.say(f"{name} phase: {args.clients} clients, {warmup:g} s warm-up + {duration:g} s")
                cpu0, wall0 = server.cpu_seconds(), time.monotonic()
                result = run_load(**kw, **load)
                cpu1, wall = server.cpu_seconds(), time.monotonic() - wall0
                if cpu0 is not None and cpu1 is not None and result.ops_total:
                    cpu[name] = {
                        "ms_per_gift": (cpu1 - cpu0) * 1000 / result.ops_total,
                        "share": (cpu1 - cpu0) / wall / (os.cpu_count() or 1),
                    }
                return result

            real = phase("real", task=gift, task_args=(slugs,), seed=1)
            base = phase("bare", task=bare_gift, task_args=(2,), seed=2)

            server.say("checking invariants")
            # Failed bare ops may have written some rows: rows are compared only when none failed.
            bare_requests = base.ok_total * 2
            check = server.run_django(
                VERIFY,
                {
                    "paid": real.payloads,
                    "project_ids": [p["id"] for p in projects],
                    "bare_requests": bare_requests,
                    "bare_exact": base.error_total == 0 and base.reconnects == 0,
                },
                timeout=300,
            )
            database, workers, threads = server.database_label, server.workers, server.threads
            server_side = any(
                not isinstance(e.get("status"), int) or e["status"] >= 500 for e in real.errors + base.errors
            )
            gunicorn_log = server.log_tail(30) if server_side else ""
    except BenchError as exc:
        print(f"bench/donations: could not run: {exc}", file=sys.stderr)
        return 2

    ratio = real.per_second / base.per_second if base.per_second else 0.0
    figures = {
        "bench": "donations",
        "quick": args.quick,
        "database": database.split()[0],
        "server_workers": workers,
        "server_threads": threads,
        "clients": args.clients,
        "client_processes": min(args.client_processes, args.clients),
        "hot_projects": len(slugs),
        "warmup_s": warmup,
        "duration_s": duration,
        "gifts": real.ok_total,
        "gifts_per_s": round(real.per_second, 1),
        "gift_p50_ms": round(real.latency_ms(50), 1),
        "gift_p99_ms": round(real.latency_ms(99), 1),
        "bare_gifts_per_s": round(base.per_second, 1),
        "bare_requests_per_s": round(base.per_second * 2, 1),
        "bare_p50_ms": round(base.latency_ms(50), 1),
        "bare_p99_ms": round(base.latency_ms(99), 1),
        "ratio_real_to_bare": round(ratio, 3),
        "server_cpu_ms_per_gift": round(cpu["real"]["ms_per_gift"], 1) if "real" in cpu else None,
        "server_cpu_ms_per_bare_gift": round(cpu["bare"]["ms_per_gift"], 1) if "bare" in cpu else None,
        "errors": real.error_total,
        "error_kinds": dict(real.error_kinds),
        "bare_error_kinds": dict(base.error_kinds),
        "bare_errors": base.error_total,
        "reconnects": real.reconnects + base.reconnects,
        "donation_statuses": check["statuses"],
        "invariants_ok": not check["problems"],
        "problems": check["problems"],
        "elapsed_s": round(time.monotonic() - began, 1),
    }

    mode = "quick" if args.quick else "full"
    print(f"Jusha donations benchmark ({mode})")
    print(f"  database      {database}")
    print(f"  server        gunicorn gthread, {workers} workers x {threads} threads, 127.0.0.1")
    print(f"  clients       {args.clients} concurrent ({figures['client_processes']} processes), keep-alive")
    print(f"  gifts over    {len(slugs)} hot projects; each gift = create + sandbox complete (2 requests)")
    print(f"  each phase    {warmup:g} s warm-up, then {duration:g} s measured")
    print()
    print(f"  {'phase':<34}{'gifts/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'gifts':>8}{'errors':>8}")
    print(
        f"  {'real (create + pay)':<34}{real.per_second:>9.1f}{real.latency_ms(50):>9.1f}"
        f"{real.latency_ms(99):>9.1f}{real.ok_total:>8}{real.error_total:>8}"
    )
    print(
        f"  {'bare (2 x POST /bench/bare, 1 row)':<34}{base.per_second:>9.1f}{base.latency_ms(50):>9.1f}"
        f"{base.latency_ms(99):>9.1f}{base.ok_total:>8}{base.error_total:>8}"
    )
    print()
    print(f"  ratio real/bare  {ratio:.3f}   (bare requests/s {base.per_second * 2:.1f})")
    if cpu.get("real") and cpu.get("bare"):
        print(
            f"  server CPU       {cpu['real']['ms_per_gift']:.1f} ms per gift "
            f"({cpu['real']['share']:.0%} of {os.cpu_count()} cores), bare {cpu['bare']['ms_per_gift']:.1f} ms "
            f"per gift ({cpu['bare']['share']:.0%}); the clients share these cores"
        )
    print(f"  donations        {', '.join(f'{k} {v}' for k, v in sorted(check['statuses'].items()))}")
    print(f"  raised           {', '.join(f'{k} {v}' for k, v in check['raised'].items())} fen")
    if real.reconnects or base.reconnects:
        print(f"  reconnects       {real.reconnects + base.reconnects} (keep-alive closed by the server, retried)")
    for label, result in (("gift", real), ("bare", base)):
        for kind, count in result.error_kinds.most_common():
            print(f"  {label} errors: {count} x {kind}")
        shown = set()
        for sample in result.errors:
            if sample.get("kind") not in shown:
                shown.add(sample.get("kind"))
                print(f"    e.g. {json.dumps(sample, ensure_ascii=False)}")
    if gunicorn_log:
        print("  gunicorn log ends:")
        print("\n".join("    " + line for line in gunicorn_log.splitlines()))
    if check["problems"]:
        print("invariants: FAILED")
        for problem in check["problems"]:
            print(f"  - {problem}")
    else:
        print("invariants: ok")
    print(f"  ({figures['elapsed_s']} s in all)")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 1 if (check["problems"] or real.error_total or base.error_total) else 0


if __name__ == "__main__":
    sys.exit(main())
