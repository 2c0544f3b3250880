"""Delivery batches under the donations load: from the gift that completes a batch to the batch.

A fresh database and gunicorn on 127.0.0.1 (bench/server.py), and the task worker beside it
(`manage.py jusha_worker`, as `make run` and a production deployment run it; `--tasks
immediate` runs after-commit work inside the request instead, the embedded default of the
test suite). A few hot projects plan batches of warm packs at ¥200 (5 a batch by default:
¥1,000, so that about one gift in four completes a batch and the figures rest on many);
32 clients give as bench/donations.py does: random gifts of ¥1–500, each created and paid
through the sandbox. Each gift whose commit lets its project's funds cover a batch queues
the batch check; the worker creates the batch and commits its cost in the journal.

A batch's latency is its `created_at` minus the `paid_at` of the gift that completed it: the
first gift, in paid order, at which the project's gifts reach the running cost of the
batches so far. Prints p50/p99/max of that, beside gifts/s and gift p50/p99; then checks,
once the worker has drained: per project, batches numbered 1..n once each, every batch's
cost committed once, no batch still due, nothing overdrawn (`ledger_problems()` empty).
Exits non-zero if a request errored or an invariant failed; never on timings.

    .venv/bin/python bench/fulfilment.py [--quick] [--json] [--tasks worker|immediate]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/fulfilment.py --quick
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.donations import GOAL, gift  # noqa: E402
from bench.server import ROOT, BenchError, BenchServer, add_load_arguments, percentile, phase_times, run_load  # noqa: E402

UNIT_COST = 20_000  # ¥200 a warm pack

PLAN = """
from jusha.fulfilment.services import batch_plan_set
from jusha.organisations.models import Membership
from jusha.projects.models import Project

for project in Project.objects.filter(pk__in=data["ids"]):
    # Seeded without a unit: give them one, as an organisation would before publishing.
    Project.objects.filter(pk=project.pk).update(unit_name="warm pack", unit_cost=data["unit_cost"])
    project.refresh_from_db()
    owner = Membership.objects.get(organisation=project.organisation, role="owner").user
    batch_plan_set(project=project, batch_size=data["batch_size"], actor=owner)
emit({"ok": True})
"""

DRAINED = """
from django_tasks_db.models import DBTaskResult
from jusha.fulfilment.selectors import batch_due

waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
emit({"drained": waiting == 0 and not any(batch_due(pid) for pid in data["ids"]), "waiting": waiting})
"""

VERIFY = """
from jusha.fulfilment import rules
from jusha.fulfilment.models import Batch
from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums

problems, latencies, batches_total = [], [], 0
commitments = set(JournalEntry.objects.filter(kind="commitment").values_list("reference", flat=True))
for pid in data["ids"]:
    batches = list(
        Batch.objects.filter(project_id=pid).order_by("number").values_list("pk", "number", "cost", "created_at")
    )
    batches_total += len(batches)
    if [b[1] for b in batches] != list(range(1, len(batches) + 1)):
        problems.append(f"project {pid}: batch numbers are not 1..{len(batches)} once each")
    missing = [b[1] for b in batches if str(b[0]) not in commitments]
    if missing:
        problems.append(f"project {pid}: batches {missing[:5]} have no commitment entry")
    sums = project_sums([pid])[pid]
    cost = data["unit_cost"] * data["batch_size"]
    if sums.available >= cost:
        problems.append(f"project {pid}: {sums.available} fen uncommitted, a batch ({cost}) is due but missing")
    if sums.held_for_batches != sum(b[2] for b in batches) or sums.available < 0:
        problems.append(f"project {pid}: held {sums.held_for_batches}, available {sums.available} do not add up")
    ends = rules.spans([b[2] for b in batches])
    total, k = 0, 0
    gifts = Donation.objects.filter(project_id=pid, paid_at__isnull=False).order_by("paid_at", "id")
    for amount, paid_at in gifts.values_list("amount", "paid_at"):
        total += amount
        while k < len(ends) and total >= ends[k]:
            latencies.append((batches[k][3] - paid_at).total_seconds())
            k += 1
ledger = ledger_problems()
problems += [f"ledger_problems(): {p}" for p in ledger[:20]]
emit({"problems": problems, "latencies": latencies, "batches": batches_total})
"""


def start_worker(server: BenchServer, interval: float) -> subprocess.Popen:
    log = open(server.tmp / "worker.log", "ab")  # noqa: SIM115 - closed right after Popen
    try:
        return subprocess.Popen(
            [sys.executable, "manage.py", "jusha_worker", "--interval", str(interval)],
            cwd=ROOT, env=server.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def stop_worker(worker: subprocess.Popen | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (CI): well under 60 s")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--tasks", choices=["worker", "immediate"], default="worker",
                        help="after-commit work on the database queue with jusha_worker (default), or in the request")
    parser.add_argument("--worker-interval", type=float, default=1.0, help="the worker's poll interval")
    parser.add_argument("--batch-size", type=int, default=5, help="warm packs (¥200) per batch")
    add_load_arguments(parser)
    args = parser.parse_args(argv)
    duration, warmup = phase_times(args)
    began = time.monotonic()
    queue = {"worker": {"JUSHA_TASK_BACKEND": "django_tasks_db.DatabaseBackend"}, "immediate": {}}[args.tasks]
    worker = None
    try:
        with BenchServer(workers=args.workers, threads=args.threads, keep=args.keep, extra_env=queue) as server:
            projects = server.seed_projects(count=args.projects, goal=GOAL)
            ids, slugs = [p["id"] for p in projects], [p["slug"] for p in projects]
            plan = {"ids": ids, "unit_cost": UNIT_COST, "batch_size": args.batch_size}
            server.run_django(PLAN, plan)
            if args.tasks == "worker":
                worker = start_worker(server, args.worker_interval)
            server.say(f"{len(ids)} hot projects, batches of {args.batch_size} x ¥200; tasks: {args.tasks}")
            server.say(f"load: {args.clients} clients, {warmup:g} s warm-up + {duration:g} s")
            load = run_load(
                port=server.port, task=gift, task_args=(slugs,), clients=args.clients,
                processes=args.client_processes, warmup=warmup, duration=duration, seed=3,
            )
            drained, deadline = {"drained": False, "waiting": None}, time.monotonic() + 60
            while time.monotonic() < deadline:
                drained = server.run_django(DRAINED, plan)
                if drained["drained"] or worker is None:
                    break
                time.sleep(0.5)
            stop_worker(worker)
            server.say("checking invariants")
            check = server.run_django(VERIFY, plan, timeout=300)
            database, workers, threads = server.database_label, server.workers, server.threads
    except BenchError as exc:
        print(f"bench/fulfilment: could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        stop_worker(worker)

    latencies = check["latencies"]
    problems = list(check["problems"])
    if not drained["drained"]:
        problems.append(f"the worker did not drain within 60 s ({drained['waiting']} tasks waiting)")
    ms = {q: round(percentile(latencies, q) * 1000, 1) for q in (50, 99, 100)}
    figures = {
        "bench": "fulfilment",
        "quick": args.quick,
        "tasks": args.tasks,
        "worker_interval_s": args.worker_interval if args.tasks == "worker" else None,
        "database": database.split()[0],
        "server_workers": workers,
        "server_threads": threads,
        "clients": args.clients,
        "hot_projects": len(ids),
        "batch_cost_fen": UNIT_COST * args.batch_size,
        "gifts": load.ok_total,
        "gifts_per_s": round(load.per_second, 1),
        "gift_p50_ms": round(load.latency_ms(50), 1),
        "gift_p99_ms": round(load.latency_ms(99), 1),
        "batches": check["batches"],
        "batch_latency_p50_ms": ms[50],
        "batch_latency_p99_ms": ms[99],
        "batch_latency_max_ms": ms[100],
        "errors": load.error_total,
        "error_kinds": dict(load.error_kinds),
        "invariants_ok": not problems,
        "problems": problems,
        "elapsed_s": round(time.monotonic() - began, 1),
    }
    mode = "quick" if args.quick else "full"
    print(f"Jusha delivery batches benchmark ({mode})")
    print(f"  database      {database}")
    print(f"  server        gunicorn gthread, {workers} workers x {threads} threads, 127.0.0.1")
    tasks = f"jusha_worker beside it, polling every {args.worker_interval:g} s" if worker else "in the request"
    print(f"  tasks         {tasks}")
    print(f"  load          {args.clients} clients giving ¥1–500 to {len(ids)} hot projects")
    print(f"  batches of    {args.batch_size} x ¥200 = ¥{UNIT_COST * args.batch_size // 100:,}")
    print(
        f"  gifts         {load.ok_total} ({load.per_second:.1f}/s, p50 {load.latency_ms(50):.1f} ms,"
        f" p99 {load.latency_ms(99):.1f} ms), {load.error_total} errors"
    )
    print(f"  batches       {check['batches']}")
    print(f"  gift completing a batch -> batch exists: p50 {ms[50]:.1f} ms, p99 {ms[99]:.1f} ms, max {ms[100]:.1f} ms")
    for kind, count in load.error_kinds.most_common():
        print(f"  gift errors: {count} x {kind}")
    if problems:
        print("invariants: FAILED")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print("invariants: ok")
    print(f"  ({figures['elapsed_s']} s in all)")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 1 if (problems or load.error_total) else 0


if __name__ == "__main__":
    sys.exit(main())
