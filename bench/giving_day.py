"""Giving day under peak contention: hot projects, one matching pool that runs dry, checked afterwards.

A fresh database and gunicorn on 127.0.0.1 (bench/server.py); 64 concurrent clients give to
20 hot projects while ONE active matching pool (1:1, a per-gift cap) matches every gift,
until its budget runs out about half-way through the measured phase. (A short calibration
first runs the real path against a pool too large to run out, closed afterwards; its rate
sizes the real pool's budget.) On the same server, one after another, three phases (each
a warm-up, then a measured window):

- real:  POST /api/v1/projects/{slug}/donations (Idempotency-Key), then
         POST /api/v1/sandbox/payments/{id}/complete (settles the sandbox charge, delivers
         the signed notification in-process: journal, counters, match, log). A few percent
         of the gifts are hostile: an Idempotency-Key replay of the create (must answer the
         same body), a second complete of a paid gift (a duplicate notification: must change
         nothing), and clients that send a create or a complete and hang up without reading
         the answer (those gifts may or may not be paid: the database is asked afterwards).
- naive: the same create, then POST /bench/naive/complete/{id}: the same complete inside one
         transaction that first locks the gift's project row and every active pool row
         (the design where those rows queue every gift). It gets a pool of its own with the
         real phase's budget (the real phase's pool is closed first), so it too matches
         until its pool runs out.
- bare:  2 x POST /bench/bare per gift, each writing one row and nothing else: the stack's
         own limit for the same number of HTTP requests.
- create: the real create alone (1 request per gift, never paid). Its rate over bare's,
         `create_alone_vs_bare`, is a ceiling: no payment-and-match path behind this create
         can bring ratio_vs_bare above it.

On PostgreSQL a sampler polls pg_stat_activity every 50 ms for backends of the bench
database waiting on a lock (wait_event_type = 'Lock'; pg_locks' ungranted rows beside it):
lock_wait_ms = sum over samples of waiting backends x interval in the measured window.
SQLite has no such view and serialises writers by design (one write transaction at a time,
IMMEDIATE at BEGIN): its lock waits are reported as null.

Afterwards, in the database: every gift a client saw paid is paid, for its project and
amount, and nothing else is (hung-up gifts may go either way); each paid gift is in the
journal exactly once; every match is of a paid gift, within the gift cap and the ratio, and
journalled once for what it says; the pool's matches (net of returns) stay within its
budget; each project's raised and matched totals equal its gifts and matches;
`ledger_problems()` finds nothing. Pool figures come from Match rows and the journal. Exits non-zero when an invariant fails or a request errored; never
on timings.

Without --quick: SQLite and PostgreSQL (when DATABASE_URL names one), each with 1 and 2 app
processes, a fresh database each. --quick: one app process, PostgreSQL when DATABASE_URL
names one, else SQLite, in well under 60 s.

    .venv/bin/python bench/giving_day.py [--quick] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/giving_day.py
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (  # noqa: E402
    SEED_ORGANISATION,
    VERIFY_COMMON,
    ROOT,
    BenchError,
    BenchServer,
    LoadResult,
    add_load_arguments,
    bare_gift,
    create_gift,
    pay_gift,
    percentile,
    phase_times,
    run_load,
)

GOAL = 10**10  # fen: the largest goal the platform accepts; never filled here
AMOUNTS = (100, 50_000)  # fen, uniform
GIFT_CAP = 20_000  # fen: the most one gift is matched
RATIO_BP = 10_000  # 1:1
REAL_PAY = "/api/v1/sandbox/payments/{}/complete"
NAIVE_PAY = "/bench/naive/complete/{}"
# Shares of the real phase's gifts that misbehave (the rest are plain gifts).
HANG_UP_CREATE, REPLAY, HANG_UP_PAY, DUPLICATE = 0.01, 0.02, 0.01, 0.02
# Every client is 127.0.0.1: without this, the anti-gaming signals (same network, bursts
# after opening) would hold nearly every match for staff review. The signals' queries still
# run on every gift; only their thresholds are out of reach.
UNREACHABLE = str(10**9)
SIGNAL_ENV = {
    f"JUSHA_MATCH_{name}": UNREACHABLE for name in ("ACCOUNT_GIFTS", "DEVICE_GIFTS", "NETWORK_GIFTS", "BURST_GIFTS")
}
LOCK_SAMPLE_S = 0.05
STATEMENT_PROBE = 20  # gifts in the statement count's batch


# --- the clients' tasks (module level: they run in the load processes) ---------------------

def _retag(error: dict, step: str) -> dict:
    return {**error, "kind": f"{step} {error['kind']}"}


SETTLEMENT_FIELDS = ("settling", "match_status", "matched", "log_index")


def _unsettled_view(donation: dict) -> dict:
    return {k: v for k, v in donation.items() if k not in SETTLEMENT_FIELDS}


def giving_day_gift(client, rng, slugs, pay_path, hostile):
    """One gift (create, then pay through `pay_path`), hostile now and then. (ok, payload, error);
    payload["kind"]: gift (seen paid), hung_up_create or hung_up_pay (outcome unknown)."""
    slug = rng.choice(slugs)
    amount = rng.randint(*AMOUNTS)
    key = str(uuid.uuid4())
    roll = rng.random() if hostile else 1.0
    began = time.monotonic()
    if roll < HANG_UP_CREATE:
        body = {"amount": amount, "currency": "CNY"}
        client.abandon(f"/api/v1/projects/{slug}/donations", body, {"Idempotency-Key": key})
        return True, {"kind": "hung_up_create"}, None
    roll -= HANG_UP_CREATE
    created, error = create_gift(client, slug, amount, key)
    if error:
        return False, None, error
    gift = {"kind": "gift", "id": created["id"], "slug": slug, "amount": amount, "create_s": time.monotonic() - began}
    if roll < REPLAY:
        replayed, error = create_gift(client, slug, amount, key)
        if error:
            return False, None, _retag(error, "replay:")
        if replayed != created:
            return False, None, {"kind": "replay: answered differently", "first": created, "replay": replayed}
        gift["replayed"] = True
    path = pay_path.format(created["id"])
    if REPLAY <= roll < REPLAY + HANG_UP_PAY:
        client.abandon(path, {"result": "succeeded"})
        return True, {**gift, "kind": "hung_up_pay"}, None
    paying = time.monotonic()
    answer, error = pay_gift(client, path)
    if error:
        return False, None, error
    finished = time.monotonic()
    # A gift still settling (giving.settle) has no final match yet: nothing to compare later.
    settling = bool(answer["donation"].get("settling"))
    gift.update(matched=None if settling else answer["donation"]["matched"], began=began, finished=finished,
                complete_s=finished - paying)
    if REPLAY + HANG_UP_PAY <= roll < REPLAY + HANG_UP_PAY + DUPLICATE:
        again, error = pay_gift(client, path)
        if error:
            return False, None, _retag(error, "duplicate:")
        # Between the two the settler may have settled the gift: its match and log place may
        # have appeared (settling, match_status, matched, log_index); nothing else may change.
        if again["notification"]["body"].get("duplicate") is not True or _unsettled_view(again["donation"]) != _unsettled_view(answer["donation"]):
            return False, None, {"kind": "duplicate: changed something", "first": answer, "again": again}
        gift["duplicate"] = True
    return True, gift, None


def create_alone(client, rng, slugs):
    """Only the create of a gift (1 request; the gift is never paid): what the path costs
    before any payment, journal or match, for the ceiling (see `create_alone_vs_bare`)."""
    slug, amount = rng.choice(slugs), rng.randint(*AMOUNTS)
    created, error = create_gift(client, slug, amount, str(uuid.uuid4()))
    if error:
        return False, None, error
    return True, {"kind": "opened", "id": created["id"], "slug": slug, "amount": amount}, None


# --- seeding and checking, in Django ------------------------------------------------------

# A sponsor (a verified organisation, its owner sets the pool up) and its pool, 1:1 with a
# per-gift cap, eligible for every project, funded and activated by staff; first the pool
# data["close"] (the previous phase's) is closed, so only one pool is ever active.
SEED_POOL = SEED_ORGANISATION + """
from jusha.core.money import Money
from jusha.matching.models import Pool
from jusha.matching.services import pool_create, pool_deposit, pool_transition

if data.get("close"):
    pool_transition(pool=Pool.objects.get(pk=data["close"]), target="closed", actor=staff, reason="bench")
now = timezone.now()
pool = pool_create(
    sponsor=org, actor=owner, name=f"Bench {tag} pool", budget=Money(data["budget"]),
    min_bp=data["ratio_bp"], max_bp=data["ratio_bp"], gift_cap=Money(data["gift_cap"]),
    starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1),
)
pool_deposit(pool=pool, amount=Money(data["budget"]), reference="BENCH-DEPOSIT-1", actor=staff)
pool_transition(pool=pool, target="active", actor=staff)
emit({"pool": pool.pk})
"""

VERIFY = """
from collections import Counter, defaultdict
from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.matching.models import Match, Pool
from jusha.projects.models import Project

problems = []
def problem(count, what, examples):
    if count:
        problems.append(f"{count} {what}, e.g. {list(examples)[:3]}")

seen = {d: (slug, amount) for d, slug, amount, _m in data["paid"]}
seen_matched = {d: m for d, _s, _a, m in data["paid"]}
maybe = {d: (slug, amount) for d, slug, amount in data["hung_up_pay"]}
opened = {d: (slug, amount) for d, slug, amount in data["opened"]}  # created, never paid
problem(len(data["paid"]) - len(seen), "donation ids the clients saw paid more than once", [])
slug_of = dict(Project.objects.values_list("id", "slug"))
donations = {
    str(i): (slug_of[p], a, s, paid_at)
    for i, p, a, s, paid_at in Donation.objects.values_list("id", "project_id", "amount", "status", "paid_at")
}
statuses = Counter(s for _p, _a, s, _t in donations.values())
paid = {d: (slug, a) for d, (slug, a, s, _t) in donations.items() if s == "paid"}
missing = [d for d in seen if d not in paid]
problem(len(missing), "gifts the clients saw paid are not paid in the database", missing)
unseen = [d for d in paid if d not in seen and d not in maybe]
problem(len(unseen), "paid donations no client saw paid or left in flight", unseen)
differ = [d for d in paid if (seen.get(d) or maybe.get(d) or paid[d]) != paid[d]]
problem(len(differ), "paid donations differ from what was asked (project or amount)", differ)
hung_up_paid = sum(1 for d in maybe if d in paid)
unknown = [d for d in donations if d not in seen and d not in maybe and d not in opened]
not_pending = [d for d, (slug, a) in opened.items() if donations.get(d, (None, None, None))[:3] != (slug, a, "pending")]
problem(len(not_pending), "gifts only opened are not pending, for their project and amount, in the database", not_pending)
if len(unknown) > data["hung_up_creates"] + data["errors"]:
    problems.append(
        f"{len(unknown)} donations no client knows of, more than the {data['hung_up_creates']} creates hung up on"
        f" and {data['errors']} failed requests"
    )

gift_entries = Counter(JournalEntry.objects.filter(kind="gift").values_list("reference", flat=True))
not_once = [f"{d} x{gift_entries.get(d, 0)}" for d in paid if gift_entries.get(d, 0) != 1]
problem(len(not_once), "paid gifts are not in the journal exactly once", not_once)
orphans = [ref for ref in gift_entries if ref not in paid]
problem(len(orphans), "gift entries without a paid donation", orphans)

match_entries = defaultdict(list)
for ref, amount in JournalEntry.objects.filter(kind="match").values_list("reference", "amount"):
    match_entries[ref].append(amount)
budgets = dict(Pool.objects.values_list("id", "budget"))
net_by_pool, matched_by_project, held = defaultdict(int), defaultdict(int), 0
bad_cap, bad_ratio, unpaid, bad_entry, bad_seen = [], [], [], [], []
fields = ("donation_id", "pool_id", "project_id", "amount", "returned", "journalled", "status", "created_at")
matches = list(Match.objects.values_list(*fields))
matched_ids = set()
for donation_id, pool_id, project_id, amount, returned, journalled, status, _at in matches:
    d = str(donation_id)
    matched_ids.add(d)
    net_by_pool[pool_id] += amount - returned
    if d not in paid:
        unpaid.append(d)
    if amount > data["gift_cap"]:
        bad_cap.append(f"{d}: {amount}")
    if d in paid and amount * 10_000 > paid[d][1] * data["ratio_bp"]:
        bad_ratio.append(f"{d}: {amount} for {paid[d][1]}")
    if match_entries.get(d, []) != ([journalled] if journalled else []):
        bad_entry.append(f"{d}: journalled {journalled}, entries {match_entries.get(d, [])}")
    if journalled:
        matched_by_project[project_id] += journalled - returned
    held += status == "held"
    if seen_matched.get(d) is not None and seen_matched[d] != amount - returned:
        bad_seen.append(f"{d}: client saw {seen_matched[d]}, match {amount - returned}")
problem(len(unpaid), "matches of gifts that are not paid", unpaid)
problem(len(bad_cap), f"matches above the gift cap {data['gift_cap']}", bad_cap)
problem(len(bad_ratio), "matches above the pool's ratio", bad_ratio)
problem(len(bad_entry), "matches not journalled exactly once for what they say", bad_entry)
problem(len(bad_seen), "gifts whose match differs from what the client was told", bad_seen)
seen_unmatched = [d for d, m in seen_matched.items() if m and d not in matched_ids]
problem(len(seen_unmatched), "gifts the client was told were matched have no match", seen_unmatched)
stray = [ref for ref in match_entries if ref not in matched_ids]
problem(len(stray), "match entries without a match", stray)
for pool_id, net in net_by_pool.items():
    if net > budgets[pool_id]:
        problems.append(f"pool {pool_id}: matches {net} exceed its budget {budgets[pool_id]}")

sums = project_sums(data["project_ids"])
raised, paid_by_project = {}, defaultdict(int)
for d, (slug, amount) in paid.items():
    paid_by_project[slug] += amount
for pid in data["project_ids"]:
    slug = slug_of[pid]
    raised[slug] = sums[pid].raised
    if sums[pid].raised != paid_by_project[slug]:
        problems.append(f"project {slug}: journal raised {sums[pid].raised} != paid gifts {paid_by_project[slug]}")
    if sums[pid].matched != matched_by_project[pid]:
        problems.append(f"project {slug}: journal matched {sums[pid].matched} != its matches {matched_by_project[pid]}")
""" + VERIFY_COMMON + """
pool = Pool.objects.get(pk=data["pool"])
first_unmatched = min(
    (t for d, (_s, _a, s, t) in donations.items() if s == "paid" and t >= pool.activated_at and d not in matched_ids),
    default=None,
)
last_match = max((m[-1] for m in matches if m[1] == data["pool"]), default=None)  # the real phase's pool
unsettled = Donation.objects.filter(paid_at__isnull=False, settled_at__isnull=True).count()
problem(unsettled, "paid gifts are still not settled after the run", [])
lags = sorted(
    (settled - paid_at).total_seconds() * 1000
    for paid_at, settled in Donation.objects.filter(pk__in=data["real_ids"], settled_at__isnull=False)
    .values_list("paid_at", "settled_at")
)
emit({
    "problems": problems, "statuses": dict(statuses), "raised": raised, "paid": len(paid),
    "hung_up_paid": hung_up_paid, "hung_up_unpaid": len(maybe) - hung_up_paid, "unknown": len(unknown),
    "matches": sum(1 for m in matches if m[1] == data["pool"]), "held": held,
    "pool_used": net_by_pool.get(data["pool"], 0), "largest_match": max((m[3] for m in matches), default=0),
    "first_unmatched": first_unmatched.timestamp() if first_unmatched else None,
    "last_match": last_match.timestamp() if last_match else None,
    "activated": pool.activated_at.timestamp(), "bench_rows": bench_rows,
    "settle_lag_ms": lags,
})
"""


STATEMENTS = """
# Statements per gift, counted in this process through the same API the clients use (Django's
# test client against the bench database; the settler process is stopped first so that the
# batches below are this process's): the create, the complete (sandbox charge + the
# notification's acceptance + the answer) and the settler, for a batch of 1 and a batch of n
# (per gift = the difference / (n - 1), per batch = what is left of the batch of 1).
import random, time, uuid
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jusha.giving import settle

settle._kicked["at"] = time.monotonic() + 1e9  # no kick: this process settles below, counted
client = Client(HTTP_HOST="127.0.0.1")
rng = random.Random(7)

def counted(call):
    with CaptureQueriesContext(connection) as ctx:
        answer = call()
    return answer, len(ctx.captured_queries)

def gift():
    slug = rng.choice(data["slugs"])
    created, creates = counted(lambda: client.post(
        f"/api/v1/projects/{slug}/donations", {"amount": rng.randint(100, 50_000), "currency": "CNY"},
        content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())}))
    assert created.status_code == 201, created.content[:400]
    gift_id = created.json()["id"]
    paid, completes = counted(lambda: client.post(
        f"/api/v1/sandbox/payments/{gift_id}/complete", {"result": "succeeded"}, content_type="application/json"))
    assert paid.status_code == 200 and paid.json()["donation"]["status"] == "paid", paid.content[:400]
    return gift_id, creates, completes

for _ in range(3):  # warm-up: the process's caches (accounts, pools, chunks) as a running app has them
    settle.gifts_settle(ids=[gift()[0]])
n = data["n"]
gifts = [gift() for _ in range(n + 1)]
_count, one = counted(lambda: settle.gifts_settle(ids=[gifts[0][0]]))
settled, many = counted(lambda: settle.gifts_settle(ids=[g[0] for g in gifts[1:]]))
assert settled == n, settled
per_gift = (many - one) / (n - 1)
emit({
    "create": sum(g[1] for g in gifts) / len(gifts), "complete": sum(g[2] for g in gifts) / len(gifts),
    "settler_per_gift": round(per_gift, 1), "settler_per_batch": round(one - per_gift, 1),
    "settler_batch_of_1": one, f"settler_batch_of_{n}": many,
})
"""


DRAIN = """
import time
from jusha.giving.settle import unsettled
deadline = time.monotonic() + 100
while unsettled().exists() and time.monotonic() < deadline:
    time.sleep(0.1)
emit({"unsettled": unsettled().count()})
"""


def _plus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


class Settler:
    """The settler process beside the app processes (`manage.py gifts_settle --forever`, as a
    giving day would run it): its CPU counts in the server's CPU per gift."""

    def __init__(self, server: BenchServer):
        self.server = server
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Settler:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "gifts_settle", "--forever"], cwd=ROOT, env=self.server.env,
            stdout=subprocess.DEVNULL, stderr=open(self.server.tmp / "settler.log", "ab"),  # noqa: SIM115
        )
        self.server.say(f"settler up (pid {self.process.pid})")
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def cpu_seconds(self) -> float | None:
        if self.process is None:
            return None
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat[stat.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- lock waits (PostgreSQL) ----------------------------------------------------------------

class LockSampler:
    """Polls the bench database's backends waiting on a lock, every LOCK_SAMPLE_S seconds."""

    QUERY = """
        SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = %(db)s AND wait_event_type = 'Lock'),
               (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE a.datname = %(db)s AND NOT l.granted)
    """

    def __init__(self, url: str, database: str):
        self.url, self.database = url, database
        self.samples: list[tuple[float, int, int]] = []  # (monotonic, waiting backends, ungranted locks)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: str | None = None

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                while not self._stop.is_set():
                    at = time.monotonic()
                    waiting, ungranted = conn.execute(self.QUERY, {"db": self.database}).fetchone()
                    self.samples.append((at, waiting, ungranted))
                    self._stop.wait(max(0.0, LOCK_SAMPLE_S - (time.monotonic() - at)))
        except Exception as exc:  # noqa: BLE001 - reported with the figures, never fatal
            self.error = f"{type(exc).__name__}: {exc}"

    def waits(self, start: float, end: float) -> dict:
        """Lock waits in [start, end]: ms waited (sum of waiting x interval), the most waiting at once."""
        waited, most, previous = 0.0, 0, None
        for at, waiting, ungranted in self.samples:
            if start <= at <= end:
                if previous is not None:
                    waited += waiting * (at - previous)
                most = max(most, waiting, ungranted)
            previous = at
        return {"ms": waited * 1000, "most": most}


# --- one phase, one configuration -----------------------------------------------------------

@dataclass
class Phase:
    name: str
    load: LoadResult
    gifts: list | None = None  # payloads of the gifts seen paid; None for bare (run_load's own figures)
    cpu_ms_per_gift: float | None = None
    settler_cpu_ms_per_gift: float | None = None
    database_cpu_ms_per_gift: float | None = None  # every PostgreSQL process here, when it runs here
    lock_ms: float | None = None
    lock_most: int | None = None

    def _window(self) -> list[float]:
        if self.gifts is None:
            return self.load.window_ok
        return [
            g["finished"] - g["began"] for g in self.gifts
            if self.load.window_start <= g["finished"] <= self.load.window_end
        ]

    @property
    def per_s(self) -> float:
        return len(self._window()) / self.load.duration if self.load.duration else 0.0

    def ms(self, q: float) -> float:
        return percentile(self._window(), q) * 1000

    def request_ms(self, step: str, q: float) -> float | None:
        """A gift's one request (`step`: create or complete), as its client waited for it."""
        if self.gifts is None:
            return None
        seconds = [g[f"{step}_s"] for g in self.gifts if self.load.window_start <= g["finished"] <= self.load.window_end]
        return round(percentile(seconds, q) * 1000, 1) if seconds else None

    @property
    def done(self) -> int:
        return self.load.ok_total if self.gifts is None else len(self.gifts)

    @property
    def lock_ms_per_gift(self) -> float | None:
        window = len(self._window())
        return self.lock_ms / window if self.lock_ms is not None and window else None


def _kinds(load: LoadResult, kind: str) -> list[dict]:
    return [p for p in load.payloads if p and p.get("kind") == kind]


def mean_match() -> float:
    low, high = AMOUNTS
    return sum(min(a * RATIO_BP // 10_000, GIFT_CAP) for a in range(low, high + 1)) / (high - low + 1)


def run_configuration(*, database_url: str, processes: int, args, duration: float, warmup: float) -> dict:
    began = time.monotonic()
    # The bench's task backend runs tasks at once, in the request: a notification's kick would
    # settle in the app process. The settler process settles instead (as on a giving day).
    env = {**SIGNAL_ENV, "JUSHA_SETTLE_KICK_SECONDS": "3600"}
    with BenchServer(workers=processes, threads=args.threads, database_url=database_url, extra_env=env,
                     keep=args.keep, quiet=args.json and args.quiet) as server, contextlib.ExitStack() as stack:
        projects = server.seed_projects(count=args.projects, goal=GOAL, tag="hot")
        slugs = [p["slug"] for p in projects]
        server.say(f"seeded {len(slugs)} hot projects")
        load = dict(port=server.port, clients=args.clients, processes=args.client_processes)

        settler = Settler(server)
        stack.enter_context(settler)

        sampler = None
        if server.pg_name:
            sampler = LockSampler(server.env["DATABASE_URL"], server.pg_name)

        def phase(name, task, task_args, *, seed, phase_warmup=warmup, phase_duration=duration):
            server.say(f"{name} phase: {args.clients} clients, {phase_warmup:g} s warm-up + {phase_duration:g} s")
            settler0 = settler.cpu_seconds()
            cpu0, db0 = _plus(server.cpu_seconds(), settler0), server.database_cpu_seconds()
            result = run_load(task=task, task_args=task_args, warmup=phase_warmup, duration=phase_duration,
                              seed=seed, **load)
            settler1 = settler.cpu_seconds()
            cpu1, db1 = _plus(server.cpu_seconds(), settler1), server.database_cpu_seconds()
            by_op = task in (bare_gift, create_alone)  # run_load's own figures: one op, no payload
            out = Phase(name, result, gifts=None if by_op else _kinds(result, "gift"))
            done = result.ok_total if out.gifts is None else len(out.gifts) + len(_kinds(result, "hung_up_pay"))
            if cpu0 is not None and cpu1 is not None and done:
                out.cpu_ms_per_gift = (cpu1 - cpu0) * 1000 / done
                out.settler_cpu_ms_per_gift = (settler1 - settler0) * 1000 / done
            if db0 is not None and db1 is not None and done:
                out.database_cpu_ms_per_gift = (db1 - db0) * 1000 / done
            if sampler is not None:
                waits = sampler.waits(result.window_start, result.window_end)
                out.lock_ms, out.lock_most = waits["ms"], waits["most"]
            return out

        with sampler or contextlib.nullcontext():
            # Calibration, on the real path with a pool too large to run out (closed after; it
            # also warms the server up): its rate and latency size the pool of the real phase
            # so that it runs out about half-way through the measured window.
            rules = {"ratio_bp": RATIO_BP, "gift_cap": GIFT_CAP}
            calibration_pool = server.run_django(SEED_POOL, {"tag": "calibration", "budget": 10**9, **rules})["pool"]
            calibration = phase("calibration", giving_day_gift, (slugs, REAL_PAY, False), seed=1,
                                phase_warmup=2.0, phase_duration=1.5 if args.quick else 3.0)
            # Gifts paid by time t: rate x t less the gifts still in flight. In a steady state
            # half the clients are in their second request, so about clients/4 gifts' worth of
            # requests (a quarter of a gift's latency) are not gifts yet.
            until_half = max(0.5, warmup + duration / 2 - calibration.ms(50) / 4000)
            expected = calibration.per_s * until_half
            budget = max(GIFT_CAP, int(expected * mean_match()))
            seed = {"tag": "sponsor", "budget": budget, "close": calibration_pool, **rules}
            pool = server.run_django(SEED_POOL, seed)["pool"]
            server.say(f"pool {pool}: budget {budget} fen, about {expected:.0f} gifts' matches "
                       f"(calibrated {calibration.per_s:.1f} gifts/s)")
            real = phase("real", giving_day_gift, (slugs, REAL_PAY, True), seed=2)
            # The naive path gets a pool of its own with the same budget, so that it does the
            # same work: matches until its pool too runs out about half-way.
            naive_pool = server.run_django(SEED_POOL, {**seed, "tag": "naive", "close": pool})["pool"]
            naive = phase("naive", giving_day_gift, (slugs, NAIVE_PAY, False), seed=3)
            bare = phase("bare", bare_gift, (2,), seed=4)
            create = phase("create", create_alone, (slugs,), seed=5, **({"phase_warmup": 1.0, "phase_duration": 2.0}
                                                                        if args.quick else {}))
        phases = {"calibration": calibration, "real": real, "naive": naive, "bare": bare, "create": create}
        clock = time.time() - time.monotonic()  # monotonic -> epoch, for the database's times

        server.say("waiting for the settler, then checking invariants")
        server.run_django(DRAIN, timeout=120)
        gifts = [g for ph in (calibration, real, naive) for g in ph.gifts]
        hung_up_pay = [p for ph in (calibration, real, naive) for p in _kinds(ph.load, "hung_up_pay")]
        hung_up_creates = sum(len(_kinds(ph.load, "hung_up_create")) for ph in (calibration, real, naive))
        errors = sum(ph.load.error_total for ph in phases.values())
        check = server.run_django(
            VERIFY,
            {
                "paid": [(g["id"], g["slug"], g["amount"], g["matched"]) for g in gifts],
                "hung_up_pay": [(g["id"], g["slug"], g["amount"]) for g in hung_up_pay],
                "opened": [(g["id"], g["slug"], g["amount"]) for g in _kinds(create.load, "opened")],
                "hung_up_creates": hung_up_creates,
                "errors": errors,
                "project_ids": [p["id"] for p in projects],
                "pool": pool, "gift_cap": GIFT_CAP, "ratio_bp": RATIO_BP,
                "real_ids": [g["id"] for g in real.gifts],
                "bare_requests": bare.load.ok_total * 2,
                "bare_exact": bare.load.error_total == 0 and bare.load.reconnects == 0,
            },
            timeout=300,
        )
        # Statements per gift, after the invariants are checked (its gifts are not the clients').
        settler.__exit__(None, None, None)
        server.run_django(SEED_POOL, {**seed, "tag": "probe", "budget": 10**9, "close": naive_pool})
        statements = server.run_django(STATEMENTS, {"slugs": slugs, "n": STATEMENT_PROBE}, timeout=120)
        server_side = any(
            not isinstance(e.get("status"), int) or e["status"] >= 500
            for ph in phases.values() for e in ph.load.errors
        )
        context = {
            "database": server.database, "label": server.database_label, "workers": server.workers,
            "threads": server.threads, "log": server.log_tail(30) if server_side else "",
            "sampler_error": sampler.error if sampler else None,
        }

    # When the pool ran dry, in seconds from the start of the real phase (warm-up included).
    real_start = real.load.window_start - warmup

    def since_real(epoch):
        return None if epoch is None else round(epoch - clock - real_start, 2)
    ran_out_s = since_real(check["first_unmatched"])
    hostile = {
        "replays": sum(1 for g in real.gifts if g.get("replayed")),
        "duplicate_notifications": sum(1 for g in real.gifts if g.get("duplicate")),
        "hung_up_creates": len(_kinds(real.load, "hung_up_create")),
        "hung_up_pays": len(_kinds(real.load, "hung_up_pay")),
        "hung_up_pays_paid": check["hung_up_paid"],
    }
    figures = {
        "bench": "giving_day",
        "db": context["database"],
        "processes": processes,
        "donations_per_s": round(real.per_s, 1),
        "p50_ms": round(real.ms(50), 1),
        "p99_ms": round(real.ms(99), 1),
        "bare_per_s": round(bare.per_s, 1),
        "naive_per_s": round(naive.per_s, 1),
        "ratio_vs_bare": round(real.per_s / bare.per_s, 3) if bare.per_s else None,
        "ratio_vs_naive": round(real.per_s / naive.per_s, 3) if naive.per_s else None,
        "lock_wait_ms": None if real.lock_ms is None else round(real.lock_ms, 1),
        "invariants_ok": not check["problems"],
        # extras
        "naive_lock_wait_ms": None if naive.lock_ms is None else round(naive.lock_ms, 1),
        "lock_wait_ms_per_gift": _round(real.lock_ms_per_gift, 3),
        "naive_lock_wait_ms_per_gift": _round(naive.lock_ms_per_gift, 3),
        "naive_p50_ms": round(naive.ms(50), 1),
        "naive_p99_ms": round(naive.ms(99), 1),
        # each request of a real gift, as its client waited for it (the create, the complete)
        "create_p50_ms": real.request_ms("create", 50),
        "create_p99_ms": real.request_ms("create", 99),
        "complete_p50_ms": real.request_ms("complete", 50),
        "complete_p99_ms": real.request_ms("complete", 99),
        "bare_p50_ms": round(bare.ms(50), 1),
        "bare_p99_ms": round(bare.ms(99), 1),
        "server_cpu_ms_per_gift": _round(real.cpu_ms_per_gift, 1),  # app processes + the settler
        "settler_cpu_ms_per_gift": _round(real.settler_cpu_ms_per_gift, 1),  # of the above
        # PostgreSQL's own CPU (every postgres process here; null on SQLite or a remote server)
        "database_cpu_ms_per_gift": _round(real.database_cpu_ms_per_gift, 1),
        "bare_database_cpu_ms_per_gift": _round(bare.database_cpu_ms_per_gift, 1),
        "create_alone_database_cpu_ms": _round(create.database_cpu_ms_per_gift, 1),
        "settle_lag_p50_ms": _round(percentile(check["settle_lag_ms"], 50) if check["settle_lag_ms"] else None, 1),
        "settle_lag_p99_ms": _round(percentile(check["settle_lag_ms"], 99) if check["settle_lag_ms"] else None, 1),
        # Statements per gift (STATEMENTS): create request, complete request, settler per gift
        # and per batch.
        "statements_create": round(statements["create"], 1),
        "statements_complete": round(statements["complete"], 1),
        "statements_settler_per_gift": statements["settler_per_gift"],
        "statements_settler_per_batch": statements["settler_per_batch"],
        "naive_server_cpu_ms_per_gift": _round(naive.cpu_ms_per_gift, 1),
        "bare_server_cpu_ms_per_gift": _round(bare.cpu_ms_per_gift, 1),
        # The create alone (1 request, never paid): no gift path that keeps it can reach a
        # ratio_vs_bare above create_alone_vs_bare, however cheap its payment and match.
        "create_alone_per_s": round(create.per_s, 1),
        "create_alone_server_cpu_ms": _round(create.cpu_ms_per_gift, 1),
        "create_alone_vs_bare": round(create.per_s / bare.per_s, 3) if bare.per_s else None,
        "threads": context["threads"],
        "clients": args.clients,
        "hot_projects": len(slugs),
        "warmup_s": warmup,
        "duration_s": duration,
        "pool_budget": budget,
        "pool_used": check["pool_used"],
        "matched": check["matches"],
        "held": check["held"],
        "largest_match": check["largest_match"],
        "gift_cap": GIFT_CAP,
        "ran_out_s": ran_out_s,
        "last_match_s": since_real(check["last_match"]),
        "paid": check["paid"],
        **hostile,
        "errors": errors,
        "error_kinds": {name: dict(ph.load.error_kinds) for name, ph in phases.items() if ph.load.error_kinds},
        "reconnects": sum(ph.load.reconnects for ph in phases.values()),
        "problems": check["problems"],
        "elapsed_s": round(time.monotonic() - began, 1),
    }
    report(figures, phases, check, context, args)
    return figures


def _printer(args):
    """print() to stdout, or with --json to stderr (stdout then holds only the JSON lines)."""
    return functools.partial(print, file=sys.stderr if args.json else sys.stdout)


def _round(value, digits):
    return None if value is None else round(value, digits)


def _cell(value, fmt: str, width: int) -> str:
    return f"{'-' if value is None else format(value, fmt):>{width}}"


def report(figures: dict, phases: dict, check: dict, context: dict, args) -> None:
    say = _printer(args)

    say(f"Jusha giving-day benchmark ({'quick' if args.quick else 'full'}): {context['label']}")
    say(f"  server        gunicorn gthread, {context['workers']} app process(es) x {context['threads']} threads, "
        "127.0.0.1")
    say(f"  clients       {args.clients} concurrent ({min(args.client_processes, args.clients)} processes), "
        "keep-alive")
    say(f"  gifts over    {figures['hot_projects']} hot projects, {AMOUNTS[0]}-{AMOUNTS[1]} fen each; "
        "each gift = create + complete (2 requests)")
    say(f"  each phase    {figures['warmup_s']:g} s warm-up, then {figures['duration_s']:g} s measured")
    say()
    say(f"  {'phase':<36}{'gifts/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'gifts':>7}{'errors':>7}"
        f"{'lock wait ms':>13}{'/gift':>7}{'CPU ms/gift':>12}")
    labels = {
        "calibration": "calibration (its own pool)",
        "real": "real (create + pay + match)",
        "naive": "naive (project + pool rows locked)",
        "bare": "bare (2 x POST /bench/bare, 1 row)",
        "create": "create alone (1 request, unpaid)",
    }
    for name, ph in phases.items():
        say(f"  {labels[name]:<36}{ph.per_s:>8.1f}{ph.ms(50):>9.1f}{ph.ms(99):>9.1f}{ph.done:>7}"
            f"{ph.load.error_total:>7}{_cell(ph.lock_ms, '.0f', 13)}{_cell(ph.lock_ms_per_gift, '.2f', 7)}"
            f"{_cell(ph.cpu_ms_per_gift, '.1f', 12)}")
    say()
    say(f"  ratio real/bare {_cell(figures['ratio_vs_bare'], '.3f', 0)}, real/naive "
        f"{_cell(figures['ratio_vs_naive'], '.3f', 0)}; create alone/bare {_cell(figures['create_alone_vs_bare'], '.3f', 0)}"
        " (the ceiling of real/bare for any payment and match path after this create)")
    if figures["db"] == "sqlite":
        say("  lock waits    n/a on SQLite: it serialises writers by design (one write transaction at a time,")
        say("                taken at BEGIN IMMEDIATE), so there are no row locks to wait on or to sample")
    else:
        most = {name: ph.lock_most for name, ph in phases.items()}
        say(f"  lock waits    sampled every {LOCK_SAMPLE_S * 1000:.0f} ms in pg_stat_activity (wait_event_type "
            f"'Lock'); most waiting at once: real {most['real']}, naive {most['naive']}, bare {most['bare']}")
        if context["sampler_error"]:
            say(f"  lock sampler  FAILED: {context['sampler_error']}")
    ran_out = figures["ran_out_s"]
    real_end = figures["warmup_s"] + figures["duration_s"]
    if ran_out is not None and ran_out <= real_end:
        when = (f"ran out {ran_out:.1f} s into the real phase (measured window {figures['warmup_s']:g}-"
                f"{real_end:g} s; last match at {_cell(figures['last_match_s'], '.1f', 0)} s)")
    else:
        when = "did NOT run out during the real phase (the path was faster or slower than calibrated)"
    say(f"  pool          budget {figures['pool_budget']} fen, matched {figures['pool_used']} fen over "
        f"{figures['matched']} gifts ({figures['held']} held), largest match {figures['largest_match']} "
        f"(cap {GIFT_CAP}); {when}")
    say(f"  hostile       in the real phase: {figures['replays']} create replays (same answer), "
        f"{figures['duplicate_notifications']} duplicate completes (nothing changed), "
        f"{figures['hung_up_creates']} hung up after a create, {figures['hung_up_pays']} after a complete "
        f"({figures['hung_up_pays_paid']} of all such gifts paid after all, {check['hung_up_unpaid']} not)")
    say(f"  statements    per gift: create {figures['statements_create']:g}, complete (charge + notification + "
        f"answer) {figures['statements_complete']:g}, settler {figures['statements_settler_per_gift']:g} "
        f"+ {figures['statements_settler_per_batch']:g} per batch (counted through the API after the run)")
    say(f"  requests      of a real gift, p50 / p99: create {_cell(figures['create_p50_ms'], '.0f', 0)} / "
        f"{_cell(figures['create_p99_ms'], '.0f', 0)} ms, complete {_cell(figures['complete_p50_ms'], '.0f', 0)} / "
        f"{_cell(figures['complete_p99_ms'], '.0f', 0)} ms")
    say(f"  settle lag    p50 {_cell(figures['settle_lag_p50_ms'], '.0f', 0)} ms, p99 "
        f"{_cell(figures['settle_lag_p99_ms'], '.0f', 0)} ms (paid -> settled, real phase); settler "
        f"{_cell(figures['settler_cpu_ms_per_gift'], '.1f', 0)} ms CPU per gift of the real phase's "
        f"{_cell(figures['server_cpu_ms_per_gift'], '.1f', 0)}")
    if figures["database_cpu_ms_per_gift"] is not None:
        say(f"  database      PostgreSQL's CPU per gift (every postgres process on this machine): real "
            f"{figures['database_cpu_ms_per_gift']:.1f} ms, bare {_cell(figures['bare_database_cpu_ms_per_gift'], '.1f', 0)}"
            f" ms, create alone {_cell(figures['create_alone_database_cpu_ms'], '.1f', 0)} ms")
    say(f"  donations     {', '.join(f'{k} {v}' for k, v in sorted(check['statuses'].items()))}")
    if figures["reconnects"]:
        say(f"  reconnects    {figures['reconnects']} (keep-alive closed by the server, retried)")
    for name, ph in phases.items():
        for kind, count in ph.load.error_kinds.most_common():
            say(f"  {name} errors: {count} x {kind}")
        shown = set()
        for sample in ph.load.errors:
            if sample.get("kind") not in shown:
                shown.add(sample.get("kind"))
                say(f"    e.g. {json.dumps(sample, ensure_ascii=False)[:1500]}")
    if context["log"]:
        say("  gunicorn log ends:")
        say("\n".join("    " + line for line in context["log"].splitlines()))
    if check["problems"]:
        say("  invariants    FAILED")
        for item in check["problems"]:
            say(f"    - {item}")
    else:
        say("  invariants    ok (clients' view = database; journal once; caps, ratio and budget held; "
            "totals = journal; ledger_problems() clean)")
    say(f"  ({figures['elapsed_s']} s)")
    say()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False), flush=True)


def summary(results: list[dict], args) -> None:
    say = _printer(args)

    say("Summary")
    say(f"  {'db':<12}{'procs':>6}{'gifts/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'naive/s':>9}{'bare/s':>8}"
        f"{'/bare':>7}{'/naive':>8}{'lock ms':>9}{'naive lock ms':>14}{'ceiling':>8}{'ok':>5}")
    for r in results:
        say(f"  {r['db']:<12}{r['processes']:>6}{r['donations_per_s']:>9.1f}{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}"
            f"{r['naive_per_s']:>9.1f}{r['bare_per_s']:>8.1f}{_cell(r['ratio_vs_bare'], '.3f', 7)}"
            f"{_cell(r['ratio_vs_naive'], '.3f', 8)}{_cell(r['lock_wait_ms'], '.0f', 9)}"
            f"{_cell(r['naive_lock_wait_ms'], '.0f', 14)}{_cell(r['create_alone_vs_bare'], '.3f', 8)}"
            f"{'yes' if r['invariants_ok'] else 'NO':>5}")
    for db in dict.fromkeys(r["db"] for r in results):
        by = {r["processes"]: r for r in results if r["db"] == db}
        if 1 in by and 2 in by:
            parts = [
                f"{label} {by[1][key]:.1f} -> {by[2][key]:.1f}/s ({_change(by[1][key], by[2][key])})"
                for label, key in (("real", "donations_per_s"), ("naive", "naive_per_s"), ("bare", "bare_per_s"))
            ]
            say(f"  {db}, 1 -> 2 app processes: {'; '.join(parts)}")
    say("  ceiling: the create alone over bare, the most real/bare could reach behind today's create")
    say(f"  ({os.cpu_count()} cores, shared by the server, the database and the {args.clients} clients)")


def _change(before: float, after: float) -> str:
    return f"{(after / before - 1) * 100:+.0f}%" if before else "n/a"


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.startswith(("postgres", "pgsql"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="In this benchmark: --clients 64, --projects 20, --threads 4; --duration 12 and --warmup 2.5 "
        "(quick: 3.5 and 1.5); --workers N runs only N app processes instead of 1 and 2.",
    )
    parser.add_argument("--quick", action="store_true", help="one app process, short phases: well under 60 s")
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures per configuration "
                        "on stdout (the tables go to stderr)")
    parser.add_argument("--quiet", action="store_true", help="with --json: no progress lines")
    parser.add_argument("--db", choices=("auto", "sqlite", "postgresql"), default="auto",
                        help="auto: SQLite, and PostgreSQL when DATABASE_URL names one (quick: only the latter)")
    add_load_arguments(parser)
    # 4 threads per app process: 8 gave no more gifts/s here, and several times the lock waits.
    parser.set_defaults(clients=64, projects=20, threads=4)
    args = parser.parse_args(argv)
    duration, warmup = phase_times(args, full=(12.0, 2.5), quick=(3.5, 1.5))
    began = time.monotonic()

    url = os.environ.get("DATABASE_URL", "")
    postgres = url if _is_postgres(url) else ""
    if url and not postgres:
        print(f"bench/giving_day: DATABASE_URL is not PostgreSQL ({urlsplit(url).scheme}): using SQLite only",
              file=sys.stderr)
    databases = {"sqlite": [""], "postgresql": [postgres] if postgres else []}.get(args.db)
    if databases is None:
        databases = ([postgres] if postgres else [""]) if args.quick else ["", *([postgres] if postgres else [])]
    if not databases:
        print("bench/giving_day: --db postgresql needs DATABASE_URL naming a PostgreSQL server", file=sys.stderr)
        return 2
    if not postgres and not args.quick:
        print("bench/giving_day: PostgreSQL skipped: set DATABASE_URL=postgres://... to run it too", file=sys.stderr)
    counts = [args.workers] if args.workers else ([1] if args.quick else [1, 2])

    results = []
    try:
        for database_url in databases:
            for processes in counts:
                results.append(run_configuration(database_url=database_url, processes=processes, args=args,
                                                  duration=duration, warmup=warmup))
    except BenchError as exc:
        print(f"bench/giving_day: could not run: {exc}", file=sys.stderr)
        return 2
    if len(results) > 1:
        summary(results, args)
    _printer(args)(f"({time.monotonic() - began:.1f} s in all)")
    failed = [r for r in results if r["problems"] or r["errors"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
