"""A real Jusha server for benchmarks, on loopback only, and the load harness that drives it.

`BenchServer` prepares a fresh database (an SQLite file in a temporary directory, or a
fresh PostgreSQL database beside the one `DATABASE_URL` names, dropped afterwards),
migrates it, seeds it through the platform's own services, and runs gunicorn (several
processes, gthread) on 127.0.0.1 with benchmark-only settings. Everything it starts it
stops, in `stop()`, at exit, or on SIGTERM.

`run_load` drives a server with N concurrent clients (several processes of threads, so the
client's GIL does not cap the figures), each looping over a task for a fixed time, and
returns what they saw. `percentile` and `Client` are small helpers for the tasks.

Standard library only (plus psycopg, already required, for PostgreSQL set-up).
"""

from __future__ import annotations

import atexit
import collections
import http.client
import json
import multiprocessing
import os
import queue
import random
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MARKER = "@@JUSHA-BENCH@@"

# Runs before every snippet given to `BenchServer.run_django`: Django set up against the
# benchmark database, `data` read from stdin (JSON), `emit(obj)` to answer.
_PRELUDE = f"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
data = json.loads(sys.stdin.read() or "null")
def emit(obj):
    sys.stdout.write("\\n{MARKER}" + json.dumps(obj) + "\\n")
    sys.stdout.flush()
"""

_MIGRATE = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
emit({"ok": True})
"""

# A snippet's start: one verified organisation `org` with an owner `owner`, and a staff user
# `staff` (data["tag"] names them). Snippets that need a seeded organisation begin with it.
SEED_ORGANISATION = """
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from jusha.accounts.models import User
from jusha.organisations.models import Membership, Organisation
from jusha.organisations.uscc import checksum_char

tag = data["tag"]
with transaction.atomic():
    staff = User.objects.create_user(f"bench-staff-{tag}@example.org", "bench-" + os.urandom(12).hex(), is_staff=True)
    owner = User.objects.create_user(f"bench-owner-{tag}@example.org", "bench-" + os.urandom(12).hex())
    n = Organisation.objects.count() + 1
    body = f"53100000{n:09d}"[:17]
    org = Organisation.objects.create(
        slug=f"bench-org-{tag}",
        name=f"Bench Org {tag}",
        legal_name=f"Bench Org {tag} Foundation",
        uscc=body + checksum_char(body),
        contact_email=f"bench-org-{tag}@example.org",
        public_fundraising_qualified=True,
        verification=Organisation.Verification.VERIFIED,
        verified_at=timezone.now(),
    )
    Membership.objects.create(organisation=org, user=owner, role="owner")
"""

# One verified organisation with an owner, and N projects taken to "fundraising" through
# the real services (create as the owner, submit, approve as staff), as tests/factories do.
_SEED_PROJECTS = SEED_ORGANISATION + """
from jusha.core.money import Money
from jusha.projects.services import project_create, project_transition

projects = []
goal = Money(data["goal"], "CNY")
for i in range(data["count"]):
    half = Money(goal.amount // 2, goal.currency)
    project = project_create(
        organisation=org, actor=owner, title=f"Bench hot project {tag} {i + 1}",
        summary="Warm packs for elders living alone", story="<p>Benchmark project.</p>",
        cause="elders", region_code="110000", goal=goal,
        ends_at=timezone.now() + timedelta(days=30), beneficiary_count=50,
        shortfall_rule="proportional", overflow_rule="keep",
        budget_lines=[("Warm packs", goal - half), ("Delivery", half)],
    )
    project_transition(project=project, target="in_review", actor=owner, reason="bench")
    project_transition(project=project, target="fundraising", actor=staff, reason="bench")
    project.refresh_from_db()
    assert project.status == "fundraising", project.status
    projects.append({"id": project.pk, "slug": project.slug})
emit({"organisation": org.slug, "projects": projects})
"""


# A part of the gift benchmarks' VERIFY snippets (after `problems = []`): the hot projects
# (data["project_ids"]) still fundraising, `ledger_problems()` clean, and, when
# data["bare_exact"], one bench row per answered bare request (data["bare_requests"]).
# Leaves `bench_rows` defined.
VERIFY_COMMON = """
from jusha.bench.models import BenchRow
from jusha.ledger.checks import ledger_problems
from jusha.projects.models import Project

for slug, status in Project.objects.filter(pk__in=data["project_ids"]).values_list("slug", "status"):
    if status != "fundraising":
        problems.append(f"project {slug} is {status}, not fundraising")
ledger = ledger_problems()
problems += [f"ledger_problems(): {p}" for p in ledger[:20]]
if len(ledger) > 20:
    problems.append(f"ledger_problems(): {len(ledger) - 20} more")
bench_rows = BenchRow.objects.count()
if data["bare_exact"] and bench_rows != data["bare_requests"]:
    problems.append(f"{bench_rows} bench rows for {data['bare_requests']} answered bare requests")
"""


def _random_secret(length: int = 50) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class BenchError(RuntimeError):
    """The benchmark could not set up or run (not a finding about the platform)."""


def _cpu_seconds(chosen, *, reaped: bool = False) -> float:
    """CPU time (user + system) of the live processes `chosen(pid, parent pid, name)` picks;
    `reaped`: with that of their children that have exited (and been waited for)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if chosen(int(entry.name), int(fields[1]), name):
            total += sum(int(x) for x in fields[11:15 if reaped else 13]) / tick
    return total


class BenchServer:
    """A fresh database and a gunicorn server on 127.0.0.1. Use as a context manager."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        threads: int = 4,
        database_url: str | None = None,
        extra_env: dict[str, str] | None = None,
        keep: bool = False,
        quiet: bool = False,
    ):
        self.workers = workers or os.cpu_count() or 2
        self.threads = threads
        self.source_url = os.environ.get("DATABASE_URL", "") if database_url is None else database_url
        self.extra_env = dict(extra_env or {})
        self.keep = keep
        self.quiet = quiet
        self.tmp: Path | None = None
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.pg_name: str | None = None
        self.pg_admin_url: str | None = None
        self.env: dict[str, str] = {}
        self._stopped = False

    # --- what the benchmark reads ------------------------------------------------
    @property
    def database(self) -> str:
        return "postgresql" if self.pg_name else "sqlite"

    @property
    def database_label(self) -> str:
        return f"postgresql (database {self.pg_name})" if self.pg_name else "sqlite (WAL, file in a temp dir)"

    @property
    def log_path(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "gunicorn.log"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by gunicorn's master and live workers (Linux)."""
        if self.process is None or not Path("/proc/self/stat").exists():
            return None
        pid = self.process.pid
        return _cpu_seconds(lambda found, parent, _name: found == pid or parent == pid)

    def database_cpu_seconds(self) -> float | None:
        """CPU time used so far by every PostgreSQL process on this machine (its backends,
        WAL writer, checkpointer...), when the bench's PostgreSQL runs here; else None. The
        bench's database is the only busy one, so this is its cost. A backend that has exited
        counts in its parent's (the postmaster's) reaped children's time."""
        if not self.pg_name or not Path("/proc/self/stat").exists():
            return None
        host = urlsplit(self.env.get("DATABASE_URL", "")).hostname or "localhost"
        if host not in ("127.0.0.1", "localhost", "::1"):
            return None
        return _cpu_seconds(lambda _found, _parent, name: name == "postgres", reaped=True)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[bench] {message}", file=sys.stderr, flush=True)

    # --- life cycle --------------------------------------------------------------
    def __enter__(self) -> BenchServer:
        try:
            self.prepare()
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def prepare(self) -> None:
        """Fresh database, migrated. Call `seed_projects` / `run_django` after."""
        atexit.register(self.stop)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _exit_on_signal)
        self.tmp = Path(tempfile.mkdtemp(prefix="jusha-bench-"))
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "JUSHA_VAR_DIR": str(self.tmp),
                "DEBUG": "0",
                "SECRET_KEY": _random_secret(),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "JUSHA_SANDBOX_ENABLED": "1",
                "JUSHA_BENCH_ENDPOINTS": "1",
                "JUSHA_RATE_LIMIT_ENABLED": "0",
                # After-commit work runs in the request: nothing is left queued.
                "JUSHA_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "LOG_LEVEL": "WARNING",
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.source_url:
            env["DATABASE_URL"] = self._create_pg_database(self.source_url)
        env.update(self.extra_env)
        self.env = env
        started = time.monotonic()
        self.run_django(_MIGRATE, timeout=300)
        self.say(f"migrated a fresh {self.database} database in {time.monotonic() - started:.1f} s")

    def seed_projects(self, *, count: int, goal: int, tag: str = "1") -> list[dict]:
        """One verified organisation and `count` fundraising projects: [{"id", "slug"}]."""
        answer = self.run_django(_SEED_PROJECTS, {"count": count, "goal": goal, "tag": tag}, timeout=120)
        return answer["projects"]

    def start(self) -> None:
        """Start gunicorn and wait for /healthz to answer 200."""
        assert self.env, "prepare() first"
        last = ""
        for _attempt in range(3):  # the free port may be taken between probe and bind
            self.port = _free_port()
            log = open(self.log_path, "ab")  # noqa: SIM115 - closed right after Popen
            try:
                self.process = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "gunicorn"),
                        "config.wsgi:application",
                        "--bind", f"{HOST}:{self.port}",
                        "--workers", str(self.workers),
                        "--worker-class", "gthread",
                        "--threads", str(self.threads),
                        "--keep-alive", "10",
                        "--timeout", "120",
                        "--graceful-timeout", "5",
                        "--log-level", "warning",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stop() ends exactly it
                )
            finally:
                log.close()
            if self._wait_healthy(timeout=45):
                self.say(f"gunicorn up on http://{HOST}:{self.port} ({self.workers} workers x {self.threads} threads)")
                return
            last = self.log_tail()
            self._stop_gunicorn()
        raise BenchError(f"gunicorn did not become healthy; its log ends:\n{last}")

    def _wait_healthy(self, *, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return True
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._stop_gunicorn()
        if self.pg_name:
            try:
                self._drop_pg_database()
            except Exception as exc:  # noqa: BLE001 - report and go on cleaning up
                print(f"[bench] could not drop database {self.pg_name}: {exc}", file=sys.stderr)
        if self.tmp and not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        elif self.tmp:
            self.say(f"kept {self.tmp}")

    def _stop_gunicorn(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn leads (start_new_session)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)

    # --- Django in a subprocess against the benchmark database --------------------
    def run_django(self, snippet: str, data=None, *, timeout: float = 120):
        """Run `snippet` (after django.setup(); `data` and `emit` defined) and return what it emitted."""
        try:
            done = subprocess.run(
                [sys.executable, "-c", _PRELUDE + snippet],
                cwd=ROOT,
                env=self.env,
                input=json.dumps(data),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"Django snippet did not finish within {timeout} s") from exc
        answer = None
        for line in done.stdout.splitlines():
            if line.startswith(MARKER):
                answer = json.loads(line[len(MARKER):])
        if done.returncode != 0 or answer is None:
            raise BenchError(
                f"Django snippet failed (exit {done.returncode}):\n{done.stderr[-4000:]}\n{done.stdout[-2000:]}"
            )
        return answer

    # --- PostgreSQL: a fresh database beside the one named, dropped at the end -----
    def _create_pg_database(self, url: str) -> str:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is in requirements.txt
            raise BenchError("DATABASE_URL names PostgreSQL but psycopg is not installed") from exc
        parts = urlsplit(url)
        if not parts.scheme.startswith(("postgres", "pgsql")):
            raise BenchError(f"DATABASE_URL must be PostgreSQL or unset (SQLite); got scheme {parts.scheme!r}")
        if parts.hostname not in (None, "", "127.0.0.1", "localhost", "::1") and not parts.hostname.startswith("/"):
            raise BenchError(f"the benchmark database must be on this machine, not {parts.hostname}")
        self.pg_admin_url = parts._replace(scheme="postgresql", path="/postgres").geturl()
        name = f"jusha_bench_{os.getpid()}"
        with psycopg.connect(self.pg_admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.pg_name = name
        return parts._replace(path="/" + name).geturl()

    def _drop_pg_database(self) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.pg_name],
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}"')
        self.say(f"dropped database {self.pg_name}")


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


# --- the client side ----------------------------------------------------------------

class Client:
    """One keep-alive HTTP/1.1 connection to the bench server, JSON in and out."""

    def __init__(self, port: int, *, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def post(self, path: str, body=None, headers: dict | None = None) -> tuple[int, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        return self.request("POST", path, payload, all_headers)

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def request(self, method: str, path: str, payload: bytes | None = None, headers: dict | None = None):
        """(status, body) of one request on the kept-alive connection."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=payload, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.close()
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection under us: the request was
                # not answered. Retry once on a new connection (every task here is safe to
                # retry: reads, and money-moving creates carry an Idempotency-Key).
                self.close()
                self.reconnects += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def abandon(self, path: str, body=None, headers: dict | None = None) -> None:
        """A client that sends a whole POST on a new connection and hangs up without reading
        the answer (the server still gets the request; it may or may not finish it)."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = {
            "Host": f"{HOST}:{self.port}", "Content-Type": "application/json", "Accept": "application/json",
            "Content-Length": str(len(payload)), "Connection": "close", **(headers or {}),
        }
        request = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
        with socket.create_connection((HOST, self.port), timeout=self.timeout) as sock:
            sock.sendall(request.encode() + payload)


BODY_LIMIT = 500  # characters of an unexpected answer kept in an error sample


def http_error(step: str, method: str, path: str, status, body: bytes) -> dict:
    """An error sample for `run_load`: its kind (step, status, stable code) and the request."""
    try:
        code = json.loads(body).get("code", "")
    except (ValueError, AttributeError):
        code = ""
    return {
        "kind": f"{step}: HTTP {status} {code}".rstrip(),
        "request": f"{method} {path}",
        "status": status,
        "body": body[:BODY_LIMIT].decode("utf-8", "replace"),
    }


def create_gift(client, slug: str, amount: int, key: str) -> tuple[dict | None, dict | None]:
    """POST /api/v1/projects/{slug}/donations with `key`: (the created gift, None) or (None, error)."""
    path = f"/api/v1/projects/{slug}/donations"
    status, body = client.post(path, {"amount": amount, "currency": "CNY"}, {"Idempotency-Key": key})
    if status != 201:
        return None, http_error("create", "POST", path, status, body)
    try:
        created = json.loads(body)
        created["id"]
    except (ValueError, KeyError, TypeError):
        return None, http_error("create (no id in answer)", "POST", path, status, body)
    return created, None


def pay_gift(client, path: str) -> tuple[dict | None, dict | None]:
    """POST a sandbox "complete" (`path`, e.g. /api/v1/sandbox/payments/{id}/complete) and
    expect the gift paid and its notification accepted: (the answer, None) or (None, error)."""
    status, body = client.post(path, {"result": "succeeded"})
    if status != 200:
        return None, http_error("complete", "POST", path, status, body)
    try:
        answer = json.loads(body)
        paid = answer["donation"]["status"] == "paid" and answer["notification"]["status"] == 200
    except (ValueError, KeyError, TypeError):
        paid = False
    if not paid:
        return None, http_error("complete (gift not paid)", "POST", path, status, body)
    return answer, None


def bare_gift(client, rng, requests_per_gift):
    """The baseline for one gift: the same number of requests, each writing one row (POST /bench/bare)."""
    for _ in range(requests_per_gift):
        status, body = client.post("/bench/bare")
        if status != 201:
            return False, None, http_error("bare", "POST", "/bench/bare", status, body)
    return True, None, None


@dataclass
class LoadResult:
    duration: float
    clients: int
    processes: int
    # latency (seconds) of every successful op that finished inside the measured window
    window_ok: list[float] = field(default_factory=list)
    ops_total: int = 0
    ok_total: int = 0
    error_total: int = 0
    errors: list[dict] = field(default_factory=list)  # a few of each kind, with request, status, body
    error_kinds: collections.Counter = field(default_factory=collections.Counter)  # error["kind"] -> count
    payloads: list = field(default_factory=list)  # what each successful op returned
    reconnects: int = 0
    # the measured window, in time.monotonic() (system-wide on Linux: comparable across processes)
    window_start: float = 0.0
    window_end: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.window_ok) / self.duration if self.duration else 0.0

    def latency_ms(self, q: float) -> float:
        return percentile(self.window_ok, q) * 1000


def add_load_arguments(parser) -> None:
    """The load options every HTTP benchmark takes: clients, server size, phase lengths."""
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--projects", type=int, default=3, help="hot projects the gifts are spread over")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: CPU count)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--duration", type=float, default=None, help="seconds measured per phase (20; quick 6)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per phase (3; quick 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, SQLite file)")


def phase_times(args, *, full: tuple[float, float] = (20.0, 3.0), quick: tuple[float, float] = (6.0, 2.0)):
    """(measured seconds, warm-up seconds) per phase, shorter with --quick; `full` and
    `quick` are a benchmark's defaults, which --duration and --warmup override."""
    default_duration, default_warmup = quick if args.quick else full
    duration = args.duration or default_duration
    warmup = args.warmup if args.warmup is not None else default_warmup
    return duration, warmup


def percentile(values, q: float) -> float:
    """The q-th percentile (0..100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def _load_process(port, task, task_args, threads, seed, start, window_start, end, out):
    """One client process: `threads` threads, each a keep-alive client looping over `task`."""
    lock = threading.Lock()
    result = {
        "window_ok": [], "ops": 0, "ok": 0, "errors": 0, "error_samples": [], "payloads": [], "reconnects": 0,
        "error_kinds": collections.Counter(),
    }

    def loop(index):
        rng = random.Random(seed * 1000 + index)
        client = Client(port)
        window_ok, payloads, samples, kinds = [], [], [], collections.Counter()
        ops = ok = errors = 0
        while time.monotonic() < start:
            time.sleep(0.001)
        while True:
            began = time.monotonic()
            if began >= end:
                break
            try:
                success, payload, error = task(client, rng, *task_args)
            except Exception as exc:  # noqa: BLE001 - a transport failure is an error, not a crash
                error = {"kind": type(exc).__name__, "error": f"{type(exc).__name__}: {exc}"}
                success, payload = False, None
                client.close()
            finished = time.monotonic()
            ops += 1
            if success:
                ok += 1
                if payload is not None:
                    payloads.append(payload)
                if window_start <= finished <= end:
                    window_ok.append(finished - began)
            else:
                errors += 1
                kind = (error or {}).get("kind", "error")
                kinds[kind] += 1
                if kinds[kind] <= 2:
                    samples.append(error)
        client.close()
        with lock:
            result["window_ok"].extend(window_ok)
            result["payloads"].extend(payloads)
            result["ops"] += ops
            result["ok"] += ok
            result["errors"] += errors
            result["error_samples"].extend(samples)
            result["error_kinds"].update(kinds)
            result["reconnects"] += client.reconnects

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put(result)


def run_load(
    *,
    port: int,
    task,
    task_args: tuple = (),
    clients: int = 32,
    processes: int = 4,
    warmup: float = 3.0,
    duration: float = 20.0,
    seed: int = 1,
) -> LoadResult:
    """`clients` concurrent clients (spread over `processes` processes of threads) each run
    `task(client, rng, *task_args) -> (ok, payload, error)` in a loop for warmup + duration
    seconds. Ops finishing inside the last `duration` seconds give the rate and latencies;
    every op counts for totals, errors and payloads. `task` must be a module-level function.
    """
    processes = max(1, min(processes, clients))
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    out = ctx.Queue()
    # CLOCK_MONOTONIC is system-wide on Linux: every process shares these instants.
    start = time.monotonic() + 0.5
    window_start = start + warmup
    end = window_start + duration
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    procs = [
        ctx.Process(
            target=_load_process,
            args=(port, task, task_args, n, seed * 100 + i, start, window_start, end, out),
            daemon=True,
        )
        for i, n in enumerate(shares)
    ]
    for proc in procs:
        proc.start()
    result = LoadResult(
        duration=duration, clients=clients, processes=processes, window_start=window_start, window_end=end
    )
    deadline = end + 120
    received = 0
    try:
        while received < len(procs):
            try:
                part = out.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty as exc:
                raise BenchError("the load clients did not finish in time") from exc
            received += 1
            result.window_ok.extend(part["window_ok"])
            result.payloads.extend(part["payloads"])
            result.ops_total += part["ops"]
            result.ok_total += part["ok"]
            result.error_total += part["errors"]
            result.errors.extend(part["error_samples"])
            result.error_kinds.update(part["error_kinds"])
            result.reconnects += part["reconnects"]
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
    return result
