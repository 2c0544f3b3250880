"""Monthly giving: the worker's charge run for due pledges (月捐), on PostgreSQL when
DATABASE_URL names one (else SQLite).

A fresh, migrated database (bench/server.py), ten fundraising projects and 100,000 pledges
(quick: 5,000) of members whose saved payment agreements are authorised at the sandbox, all
due today, inserted in bulk outside the measurement. Then the worker's job
(`pledges.charging.pledges_charge_due`) charges them: for each, the charge row unique per
pledge and month, a pending gift, the sandbox's signed server-to-server charge, and the
gift paid through giving's services (journal entry, public fact, gift_paid, receipt).

Prints pledges/s and the peak resident memory of the run, beside a baseline measured in the
same run: one-off gifts opened and paid through the sandbox's pay flow (the ordinary gift
path, 1,000; quick 200), as gifts/s. Then checks: every pledge charged exactly once, one
paid gift each, a second run in the same period charges none, `ledger_problems()` empty.
Exits non-zero if a check fails; never on timings.

    .venv/bin/python bench/pledges.py [--quick] [--json] [--pledges N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pledges.py --quick
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BenchError, BenchServer  # noqa: E402

SEED = """
import secrets, uuid
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from jusha.payments.models import SandboxAgreement
from jusha.pledges.models import Pledge
from jusha.projects.models import Project

User = get_user_model()
today = timezone.localdate()
projects = list(Project.objects.filter(pk__in=data["project_ids"]))
total, step = data["pledges"], 5_000
for first in range(0, total, step):
    n = min(step, total - first)
    with transaction.atomic():
        users = User.objects.bulk_create([
            User(email=f"pledger{i}@bench.example", password="!") for i in range(first, first + n)
        ])
        ids = [uuid.uuid4() for _ in range(n)]
        agreements = SandboxAgreement.objects.bulk_create([
            SandboxAgreement(agreement_id="sba_" + secrets.token_hex(12), reference=str(ids[k]), status="active")
            for k in range(n)
        ])
        Pledge.objects.bulk_create([
            Pledge(id=ids[k], donor=users[k], amount=1_000 + (first + k) % 5_000, currency="CNY", day=today.day if today.day <= 28 else 28,
                   target_kind="project", target_ref=projects[(first + k) % len(projects)].slug,
                   project=projects[(first + k) % len(projects)], provider="sandbox", agreement_id=agreements[k].agreement_id,
                   agreement_status="active", next_charge_on=today - timedelta(days=(first + k) % 3 == 0))
            for k in range(n)
        ])
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
emit({"seeded": total})
"""

RUN = """
import resource, time
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.giving.services import donation_open
from jusha.ledger.checks import ledger_problems
from jusha.payments.models import SandboxAgreementCharge
from jusha.payments.sandbox import SandboxProvider
from jusha.pledges.models import Pledge, PledgeCharge
from jusha.pledges.charging import pledges_charge_due
from jusha.projects.models import Project

today = timezone.localdate()
project = Project.objects.get(pk=data["baseline_project"])
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

# Baseline: one-off gifts through the ordinary path (open, the payer pays at the sandbox, its signed notification).
started, cpu_started = time.perf_counter(), cpu()
for i in range(data["baseline"]):
    donation, _token = donation_open(project=project, amount=Money(1_000 + i, "CNY"), client=ClientContext())
    SandboxProvider().complete(donation.intent_id, "succeeded")
baseline_seconds, baseline_cpu = time.perf_counter() - started, cpu() - cpu_started

rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
profiler = None
if data["profile"]:
    import cProfile
    profiler = cProfile.Profile()
    profiler.enable()
started, cpu_started = time.perf_counter(), cpu()
first = pledges_charge_due(today=today)
seconds, run_cpu = time.perf_counter() - started, cpu() - cpu_started
if profiler is not None:
    profiler.disable()
    profiler.dump_stats(data["profile"])
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
second = pledges_charge_due(today=today)
second_seconds = time.perf_counter() - started

problems = []
total = data["pledges"]
charges = PledgeCharge.objects.count()
if first.get("succeeded") != total:
    problems.append(f"first run: {first}")
if second.get("succeeded", 0) != 0 or second.get("failed", 0) != 0:
    problems.append(f"second run charged again: {second}")
if charges != total or SandboxAgreementCharge.objects.count() != total:
    problems.append(f"{charges} charge rows, {SandboxAgreementCharge.objects.count()} provider charges for {total} pledges")
paid = Donation.objects.filter(status="paid").count()
if paid != total + data["baseline"]:
    problems.append(f"{paid} paid gifts, expected {total + data['baseline']}")
if Pledge.objects.filter(next_charge_on__lte=today).exists():
    problems.append("pledges still due")
problems += ledger_problems()[:5]
emit({"seconds": seconds, "second_seconds": second_seconds, "baseline_seconds": baseline_seconds,
      "cpu": run_cpu, "baseline_cpu": baseline_cpu, "outbox": len(getattr(mail, "outbox", [])),
      "rss_before_kb": rss_before, "rss_after_kb": rss_after, "first": first, "second": second, "problems": problems})
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 pledges, a baseline of 200 gifts (CI)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--pledges", type=int, default=None, help="due pledges to charge (100,000; quick 5,000)")
    parser.add_argument("--profile", metavar="FILE", default="",
                        help="profile the first charge run with cProfile into FILE (slower; figures not comparable)")
    args = parser.parse_args(argv)
    pledges = args.pledges or (5_000 if args.quick else 100_000)
    baseline = 200 if args.quick else 1_000
    server = BenchServer()
    try:
        server.prepare()
        projects = server.seed_projects(count=11, goal=10_000_000_000, tag="pledges")
        ids = [p["id"] for p in projects]
        server.say(f"{server.database}: seeding {pledges:,} authorised pledges due today (bulk, outside the measurement)")
        server.run_django(SEED, {"pledges": pledges, "project_ids": ids[:10]}, timeout=1800)
        server.say(f"charging them (and a baseline of {baseline:,} one-off gifts)")
        r = server.run_django(RUN, {"pledges": pledges, "baseline": baseline, "baseline_project": ids[10],
                                   "profile": str(Path(args.profile).resolve()) if args.profile else ""},
                              timeout=1800 if args.quick else 10800)
        label = server.database_label
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        server.stop()
    rate, base = pledges / r["seconds"], baseline / r["baseline_seconds"]
    print(f"\nMonthly charge run: {pledges:,} due pledges, one worker process")
    print(f"  {label}")
    print(f"    charged         {r['first'].get('succeeded', 0):>9,} pledges in {r['seconds']:.1f} s = {rate:,.0f} pledges/s")
    print(f"    baseline        {baseline:,} one-off gifts (open + sandbox pay + signed notification) = {base:,.0f} gifts/s; "
          f"ratio {rate / base:.2f}x")
    print(f"    CPU (worker)    {1000 * r['cpu'] / pledges:.1f} ms per pledge; baseline {1000 * r['baseline_cpu'] / baseline:.1f} ms "
          f"per gift (this process only, not the database's; steadier than the rates on a shared machine)")
    print(f"    peak RSS        {r['rss_before_kb'] / 1024:.0f} MiB before the run, {r['rss_after_kb'] / 1024:.0f} MiB after "
          f"(with the {r['outbox']:,} receipt e-mails the bench's in-memory mail backend keeps)")
    print(f"    second run      {r['second'].get('succeeded', 0)} charged, in {r['second_seconds']:.2f} s (same period: none)")
    for problem in r["problems"]:
        print(f"    PROBLEM: {problem}")
    if not r["problems"]:
        print("    checks          each pledge charged once; one paid gift each; nothing due; ledger_check clean")
    if args.json:
        print(json.dumps({"benchmark": "pledges", "pledges": pledges, "rate": rate, "baseline_rate": base,
                          "rss_after_kb": r["rss_after_kb"],
                          "cpu_ms_per_pledge": 1000 * r["cpu"] / pledges, "baseline_cpu_ms_per_gift": 1000 * r["baseline_cpu"] / baseline, "second_run_charged": r["second"].get("succeeded", 0),
                          "problems": len(r["problems"])}))
    return 1 if r["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
