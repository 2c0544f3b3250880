"""The alliance's costs: what webhooks add to the gift path, how fast the worker delivers
signed events, and how long the open-data files take to make.

A fresh SQLite database in a temporary directory (or, with DATABASE_URL naming PostgreSQL,
a fresh database beside it, dropped afterwards), `config.settings` with the database task
backend (as production: a delivery is a queued task row, the HTTP call is the worker's).
1. The gift path (open, pay through the sandbox, settle): N gifts with no webhook endpoint (the
   baseline, measured in the same run), then N gifts with three endpoints subscribed to
   `donation.paid`; gifts/s of each and their ratio.
2. The worker's sweep (`deliveries_send_due`) sending those deliveries, signed, to a
   receiver on loopback: deliveries/s.
3. The IATI activity file, the 360Giving package and the whole-ledger CSV of that data.
Exits non-zero if a delivery was lost or duplicated, or a file is empty; never on timings.

    .venv/bin/python bench/alliance.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def receiver():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.headers.get("webhook-id"), len(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def gifts(project, count: int) -> list[float]:
    from jusha.core.client import ClientContext
    from jusha.core.money import Money
    from jusha.giving.services import donation_open
    from jusha.giving.settle import gifts_settle
    from jusha.payments.sandbox import SandboxProvider

    took = []
    for i in range(count):
        started = time.perf_counter()
        donation, _token = donation_open(project=project, amount=Money(100 + i % 500 * 100, "CNY"), client=ClientContext())
        SandboxProvider().complete(donation.intent_id, "succeeded")
        # Its settlement too (the worker's settler, here at once): where the alliance's
        # gift-paid listener looks up the webhook endpoints and queues the deliveries.
        gifts_settle(ids=[donation.pk])
        took.append(time.perf_counter() - started)
    return took


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run (CI)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args(argv)
    os.environ["JUSHA_ALLOW_PRIVATE_FETCH"] = "1"  # the receiver is on loopback
    from bench.login_limits import drop_database, setup_django

    with tempfile.TemporaryDirectory(prefix="jusha-bench-alliance-") as tmp:
        try:
            label = setup_django(Path(tmp))
            return run(args, label)
        finally:
            drop_database()


def run(args, label: str) -> int:
    import logging

    from django.test import Client

    from jusha.alliance import opendata, services
    from jusha.alliance.models import Delivery, Endpoint
    from tests.factories import make_member, make_org, make_project, make_user

    logging.getLogger("django.request").setLevel(logging.ERROR)
    n = 60 if args.quick else 300
    org = make_org()
    owner = make_member(org, "owner")
    project = make_project(org, goal=10**12)
    print(f"alliance on {label}: {n} gifts per phase")

    baseline = gifts(project, n)
    server, seen = receiver()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    staff = make_user(is_staff=True)
    for organisation, actor in ((org, owner), (org, owner), (None, staff)):
        services.endpoint_create(organisation=organisation, url=url, events=["donation.paid"], actor=actor)
    with_hooks = gifts(project, n)
    queued = Delivery.objects.count()

    started = time.perf_counter()
    sent = 0
    while True:
        done = services.deliveries_send_due()
        sent += done
        if not done:
            break
    sweep = time.perf_counter() - started
    delivered = Delivery.objects.filter(status="delivered").count()
    ids = [i for i, _size in seen]

    client = Client()
    timings = {}
    for name, path in (("iati_activities", f"/data/iati/{org.slug}/activities.xml"),
                       ("iati_organisation", f"/data/iati/{org.slug}/organisation.xml"),
                       ("ledger_csv", "/data/ledger.csv")):
        started = time.perf_counter()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        timings[name] = (time.perf_counter() - started, len(body), response.status_code)
    server.shutdown()

    def rate(took):
        return len(took) / sum(took)

    figures = {
        "gifts_per_s_no_webhooks": round(rate(baseline), 1),
        "gifts_per_s_three_endpoints": round(rate(with_hooks), 1),
        "gift_p50_ms_no_webhooks": round(statistics.median(baseline) * 1000, 2),
        "gift_p50_ms_three_endpoints": round(statistics.median(with_hooks) * 1000, 2),
        "ratio_with_to_without": round(rate(with_hooks) / rate(baseline), 3),
        "deliveries_queued": queued,
        "deliveries_per_s": round(sent / sweep, 1) if sweep else None,
        **{f"{name}_ms": round(t * 1000, 1) for name, (t, _size, _status) in timings.items()},
        **{f"{name}_bytes": size for name, (_t, size, _status) in timings.items()},
    }
    print(f"gift path without webhooks: {figures['gifts_per_s_no_webhooks']} gifts/s "
          f"(p50 {figures['gift_p50_ms_no_webhooks']} ms)")
    print(f"gift path with 3 endpoints: {figures['gifts_per_s_three_endpoints']} gifts/s "
          f"(p50 {figures['gift_p50_ms_three_endpoints']} ms); ratio {figures['ratio_with_to_without']}")
    print(f"worker sweep: {sent} signed deliveries in {sweep:.2f} s = {figures['deliveries_per_s']} /s")
    for name, (took, size, status) in timings.items():
        print(f"{name}: HTTP {status}, {size} bytes in {took * 1000:.1f} ms")
    if args.json:
        print(json.dumps(figures))
    problems = []
    if queued != 3 * n:
        problems.append(f"{queued} deliveries queued for {n} gifts and 3 endpoints")
    if delivered != queued or len(ids) != queued or len(set(ids)) != queued:
        problems.append(f"delivered {delivered}, received {len(ids)} ({len(set(ids))} distinct) of {queued}")
    if any(status != 200 or not size for _t, size, status in timings.values()):
        problems.append("an open-data file was not made")
    if Endpoint.objects.filter(active=False).exists():
        problems.append("an endpoint was switched off")
    for problem in problems:
        print("problem:", problem)
    opendata  # noqa: B018 - imported so that a broken module fails the benchmark early
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
