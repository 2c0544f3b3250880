"""The 404 notice is cheap to serve: requests/s of GET /api/v1/missing/notice and of the
widget script /missing/404.js on the real server, against a bare Django JSON view
(GET /bench/bare-json: no database, the same middleware) in the same run; and the payload
sizes, raw and gzipped (the script's budget: 8 KB gzipped; the first notice image: 30 KB).

A fresh database and gunicorn on 127.0.0.1 (bench/server.py), seeded with a partner, twelve
active cases with pictures (drawn silhouettes) in several provinces, and one site. Rounds
of three phases in turn (bare, notice, script), each a warm-up then a measured window, the
median round reported (other load on the machine falls on all three alike); every answer is checked
(status 200, the notice's cache headers and a non-empty case list). Goal: notice ≥ 0.8× bare.
Exits non-zero when a request errs or a budget is broken; never on timings.

    .venv/bin/python bench/missing_notice.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (  # noqa: E402
    SEED_ORGANISATION,
    BenchError,
    BenchServer,
    Client,
    add_load_arguments,
    http_error,
    phase_times,
    run_load,
)

SCRIPT_BUDGET = 8 * 1024
IMAGE_BUDGET = 30 * 1024

_SEED = SEED_ORGANISATION + """
from jusha.demo.images import silhouette
from jusha.missing import services
services.partner_grant(organisation=org, actor=staff)
regions = ["510923", "510104", "110105", "310104", "440106", "420102", "500103", "520102", "530102", "610113", "330106", "510700"]
today = timezone.localdate()
for i, region in enumerate(regions):
    services.case_create(organisation=org, actor=owner, photo=silhouette(i), values={
        "ref": f"b{i}", "name": f"测试{i}", "sex": "fm"[i % 2], "birth_date": today - timedelta(days=3000 + i * 40),
        "lost_at": timezone.now() - timedelta(days=i + 1), "region_code": region, "hotline": "110",
        "expires_on": today + timedelta(days=365), "consent_by": "family", "consent_recorded_by": "bench",
    })
site = services.site_register(owner=owner, domain="bench.example.org", region_code="510000")
emit({"key": site.key})
"""


def get_task(client, rng, path, kind):
    status, body = client.get(path)
    if status != 200:
        return False, None, http_error(kind, "GET", path, status, body)
    if kind == "notice" and b'"cases":[{' not in body:
        return False, None, http_error("notice (no case)", "GET", path, status, body)
    return True, None, None


def _raw(port, path):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return response.status, headers, body


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (CI): well under 60 s")
    parser.add_argument("--json", action="store_true", help="also print one JSON line of figures")
    add_load_arguments(parser)
    args = parser.parse_args(argv)
    duration, warmup = phase_times(args, full=(5.0, 1.0), quick=(2.0, 0.5))
    rounds = 2 if args.quick else 5
    clients = args.clients if not args.quick else min(args.clients, 16)
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    problems: list[str] = []
    with BenchServer(workers=args.workers, threads=args.threads, keep=args.keep, quiet=args.json) as server:
        key = server.run_django(_SEED, {"tag": "missing"})["key"]
        notice_path = f"/api/v1/missing/notice?site={key}&region=510000"
        status, headers, notice = _raw(server.port, notice_path)
        if status != 200 or headers.get("cache-control") != "public, max-age=60" or headers.get("vary") != "Accept-Language" \
                or "set-cookie" in headers or headers.get("access-control-allow-origin") != "*":
            problems.append(f"notice headers: {status} {headers}")
        _s, _h, script = _raw(server.port, "/missing/404.js")
        photo_url = json.loads(notice)["cases"][0]["photo"]
        photo_path = "/" + photo_url.split("/", 3)[3]
        _s, _h, photo = _raw(server.port, photo_path)
        sizes = {
            "notice_raw": len(notice), "notice_gzip": len(gzip.compress(notice, 6)),
            "script_raw": len(script), "script_gzip": len(gzip.compress(script, 9)),
            "first_image": len(photo),
        }
        if sizes["script_gzip"] > SCRIPT_BUDGET:
            problems.append(f"script {sizes['script_gzip']} B gzipped > {SCRIPT_BUDGET}")
        if sizes["first_image"] > IMAGE_BUDGET:
            problems.append(f"first image {sizes['first_image']} B > {IMAGE_BUDGET}")
        load = {"port": server.port, "clients": clients, "processes": args.client_processes}
        # Rounds of the three phases in turn (the machine's other load falls on all three
        # alike); each phase's figure is its median round.
        runs: dict[str, list] = {"bare": [], "notice": [], "script": []}
        for _round in range(rounds):
            for name, path in (("bare", "/bench/bare-json"), ("notice", notice_path), ("script", "/missing/404.js")):
                result = run_load(task=get_task, task_args=(path, name), warmup=warmup, duration=duration, **load)
                if result.error_total:
                    problems.append(f"{name}: {result.error_total} errors, e.g. {result.errors[:1]}")
                runs[name].append(result)
        rates = {}
        for name, results in runs.items():
            result = sorted(results, key=lambda r: r.per_second)[len(results) // 2]
            rates[name] = {"per_second": round(result.per_second, 1), "p50_ms": round(result.latency_ms(50), 2),
                           "p99_ms": round(result.latency_ms(99), 2),
                           "rounds": [round(r.per_second, 1) for r in results]}
        workers, threads, database = server.workers, server.threads, server.database_label
    ratio = {k: round(rates[k]["per_second"] / rates["bare"]["per_second"], 3) if rates["bare"]["per_second"] else None
             for k in ("notice", "script")}
    figures = {"bench": "missing_notice", "quick": args.quick, "database": database, "server_workers": workers,
               "server_threads": threads, "clients": clients, "duration_s": duration, "rounds": rounds, "rates": rates,
               "ratio_vs_bare": ratio, "goal_ratio": 0.8, "sizes_bytes": sizes, "problems": problems}
    say(f"missing notice bench ({'quick' if args.quick else 'full'}): {database}, gunicorn {workers}x{threads}, "
        f"{clients} clients, {rounds} rounds of {duration:.0f} s per phase (median round shown)")
    for name, rate in rates.items():
        extra = f"  ({ratio[name]:.2f}x bare)" if name in ratio and ratio[name] is not None else ""
        say(f"  {name:7s} {rate['per_second']:8.1f} req/s  p50 {rate['p50_ms']:.1f} ms  p99 {rate['p99_ms']:.1f} ms{extra}")
    say(f"  sizes   notice {sizes['notice_raw']} B ({sizes['notice_gzip']} B gzip), script {sizes['script_raw']} B "
        f"({sizes['script_gzip']} B gzip, budget {SCRIPT_BUDGET}), first image {sizes['first_image']} B (budget {IMAGE_BUDGET})")
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
