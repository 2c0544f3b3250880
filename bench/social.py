"""The relay (爱心接力) at scale: tree figures and K for one project with 1,000,000 gifts and
200,000 share links, and the pages that show them.

A fresh SQLite database in a temporary directory (or, with DATABASE_URL naming PostgreSQL,
a fresh database beside it, dropped afterwards). One project; a random relay forest of
share links (each link's parent drawn among the older links, 5 % of links starting their
own tree), with its closure rows; gifts (paid donations), 80 % of them made through a
random link, from donors of whom one in ten gives twice. All of it bulk-inserted (plain
INSERTs, not through HTTP): the figures are what the selectors compute from rows, maintained by nothing.

Then times, cold and warm: `relay_summary` (links, gifts and amounts per generation,
distinct donors, branching: K), one link's figures (the root with the largest subtree,
via the closure table), the relay picture's nodes and layout, and the relay page and
relay API rendered through Django's test client, with their query counts (which the test
suite asserts do not grow). Checks every figure against a brute-force computation from
the generated data; exits non-zero if one differs, never on timings.

    .venv/bin/python bench/social.py [--quick] [--json] [--gifts N] [--links N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 5.0  # relay tree and K, for the full size


def setup_django(tmp: Path) -> str:
    """Point Django at a fresh database; returns a label for it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "1")
    os.environ["JUSHA_VAR_DIR"] = str(tmp)
    os.environ["JUSHA_RATE_LIMIT_ENABLED"] = "0"
    url = os.environ.get("DATABASE_URL", "")
    label = "sqlite (temporary file)"
    if url.startswith("postgres"):
        import psycopg

        name = f"jusha_bench_social_{os.getpid()}"
        base, _sep, _db = url.rpartition("/")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        os.environ["JUSHA_BENCH_DROP"] = f"{url}|{name}"
        label = f"postgresql ({name}, dropped afterwards)"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    return label


def drop_database() -> None:
    spec = os.environ.get("JUSHA_BENCH_DROP")
    if not spec:
        return
    from django.db import connections

    connections.close_all()
    import psycopg

    url, name = spec.split("|")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def generate(n_links: int, n_gifts: int, seed: int = 7):
    """The relay in memory: parents, depths, closure pairs, and gifts."""
    rng = random.Random(seed)
    parent = [None] * n_links
    depth = [1] * n_links
    for i in range(1, n_links):
        if rng.random() >= 0.05:
            p = rng.randrange(i)
            if depth[p] < 64:
                parent[i], depth[i] = p, depth[p] + 1
    gifts = []  # (link index or None, amount, donor, anonymous)
    donors = 0
    for _ in range(n_gifts):
        if donors and rng.random() < 0.1:
            donor = rng.randrange(donors)  # gives again
        else:
            donor, donors = donors, donors + 1
        link = rng.randrange(n_links) if rng.random() < 0.8 else None
        gifts.append((link, rng.randint(100, 50_000), donor, rng.random() < 0.2))
    return parent, depth, gifts


def expected(parent, depth, gifts):
    """Brute force: what the selectors must find."""
    by_depth = defaultdict(lambda: [0, 0])
    direct = defaultdict(lambda: [0, 0])
    donors = set()
    for link, amount, donor, _anon in gifts:
        if link is None:
            continue
        by_depth[depth[link]][0] += 1
        by_depth[depth[link]][1] += amount
        direct[link][0] += 1
        direct[link][1] += amount
        donors.add(donor)
    down = [list(direct.get(i, [0, 0])) for i in range(len(parent))]
    for i in range(len(parent) - 1, -1, -1):  # children are younger than their parents
        if parent[i] is not None:
            down[parent[i]][0] += down[i][0]
            down[parent[i]][1] += down[i][1]
    children = Counter(p for p in parent if p is not None)
    top = max((i for i in range(len(parent)) if parent[i] is None), key=lambda i: down[i][0])
    return {
        "gifts": sum(v[0] for v in by_depth.values()),
        "amount": sum(v[1] for v in by_depth.values()),
        "donors": len(donors),
        "by_depth": {d: tuple(v) for d, v in by_depth.items()},
        "links_by_depth": Counter(depth),
        "parents": len(children),
        "widest": max(children.values(), default=0),
        "top": top,
        "top_direct": tuple(direct.get(top, [0, 0])),
        "top_down": tuple(down[top]),
    }


def insert(model, rows, *, template: dict, varying: list[str], chunk: int = 20_000) -> None:
    """Bulk-insert rows fast: every column's value comes from one `template` instance of the
    model (prepared once, so columns other apps add keep their defaults), except the
    `varying` fields, taken from each row (a tuple in that order)."""
    from django.db import connection

    obj = model(**template)
    given = set(varying) | set(template)
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in given)]
    fixed = {f.attname: f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields}
    prep = [next(f for f in fields if f.attname == name) for name in varying]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    position = {f.attname: i for i, f in enumerate(fields)}
    base = [fixed[f.attname] for f in fields]
    slots = [position[name] for name in varying]
    typed = {"UUIDField", "DateTimeField", "DateField"}
    needs_prep = [(f.target_field if f.is_relation else f).get_internal_type() in typed for f in prep]

    def values():
        for row in rows:
            found = list(base)
            for slot, field, raw, needed in zip(slots, prep, row, needs_prep):
                found[slot] = field.get_db_prep_save(raw, connection) if needed else raw
            yield found

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: one stream instead of a round trip per row
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for found in values():
                    copy.write_row(found)
            return
        batch = []
        for found in values():
            batch.append(found)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def load(parent, depth, gifts, say):
    """Insert the project, links, closure rows, donations and attributions."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from jusha.giving.models import Donation
    from jusha.organisations.models import Organisation
    from jusha.projects.models import Project
    from jusha.social.models import Attribution, RelayPath, ShareLink

    now = timezone.now()
    org = Organisation.objects.create(
        slug="bench-org", name="Bench", legal_name="Bench Foundation", uscc="53100000000000001X",
        contact_email="bench@example.org",
    )
    project = Project.objects.create(
        organisation=org, slug="bench-relay", title="温暖包送老人 (bench)", cause="elders", region_code="110000",
        goal=10**10, ends_at=now + timedelta(days=30), status="fundraising", published_at=now,
    )
    first = (ShareLink.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    pk = [first + i for i in range(len(parent))]
    started = time.monotonic()
    with transaction.atomic():
        insert(
            ShareLink,
            ((pk[i], f"b{i:07d}", f"bench{i}", None if parent[i] is None else pk[parent[i]], depth[i], (i * 7919) % 23,
              now if i % 3 == 0 else None) for i in range(len(parent))),
            template={"project": project, "code": "-", "expires_at": now + timedelta(days=365)},
            varying=["id", "code", "session_digest", "parent_id", "depth", "opens", "lit_at"],
        )
        say(f"  {len(parent):,} share links in {time.monotonic() - started:.1f} s")
        started = time.monotonic()

        def closure():
            for i in range(len(parent)):
                node, distance = i, 0
                while node is not None:
                    yield pk[node], pk[i], distance
                    node, distance = parent[node], distance + 1

        insert(RelayPath, closure(), template={"ancestor_id": pk[0], "descendant_id": pk[0], "distance": 0},
               varying=["ancestor_id", "descendant_id", "distance"])
        say(f"  {RelayPath.objects.count():,} closure rows in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        ids = [uuid.UUID(int=n + 1) for n in range(len(gifts))]
        insert(
            Donation, ((ids[n], amount, anon) for n, (_link, amount, _donor, anon) in enumerate(gifts)),
            template={"project": project, "amount": 1, "currency": "CNY", "status": "paid", "provider": "sandbox",
                      "access_digest": "-", "expires_at": now, "paid_at": now},
            varying=["id", "amount", "anonymous"],
        )
        insert(
            Attribution,
            ((ids[n], pk[link], depth[link], amount, f"d{donor}", anon)
             for n, (link, amount, donor, anon) in enumerate(gifts) if link is not None),
            template={"project": project, "depth": 1, "amount": 1, "donor_key": "-", "counted": True},
            varying=["donation_id", "link_id", "depth", "amount", "donor_key", "anonymous"],
        )
        through = Attribution.objects.count()
        say(f"  {len(gifts):,} gifts ({through:,} through links) in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:  # statistics (and PostgreSQL's visibility map), as a live database has
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return project, pk


def timed(fn, repeat: int = 3):
    """(result, cold seconds, best warm seconds)."""
    started = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - started)
    return result, cold, min(warm)


def page(path: str):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)  # warm: templates compiled, URLconf loaded
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, time.perf_counter() - started, len(captured)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 gifts and 20,000 links (CI)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--gifts", type=int, default=None)
    parser.add_argument("--links", type=int, default=None)
    args = parser.parse_args(argv)
    n_gifts = args.gifts or (100_000 if args.quick else 1_000_000)
    n_links = args.links or (20_000 if args.quick else 200_000)

    def say(message):
        print(message, flush=True)

    total = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="jusha-bench-social-") as tmp:
        try:
            label = setup_django(Path(tmp))
            say(f"social relay: {n_gifts:,} gifts, {n_links:,} share links, on {label}")
            started = time.monotonic()
            parent, depth, gifts = generate(n_links, n_gifts)
            want = expected(parent, depth, gifts)
            say(f"  generated in {time.monotonic() - started:.1f} s")
            project, pk = load(parent, depth, gifts, say)
            return report(args, project, pk, want, n_gifts, n_links, total, say)
        finally:
            drop_database()


def report(args, project, pk, want, n_gifts, n_links, total, say) -> int:
    from jusha.social import charts, selectors
    from jusha.social.models import ShareLink

    def relay():
        found = selectors.relay_summary(project)
        selectors.public_relay(found)
        return found

    summary, cold, warm = timed(relay)
    top = ShareLink.objects.get(pk=pk[want["top"]])
    figures, link_cold, link_warm = timed(lambda: selectors.link_figures(top))
    tree, tree_cold, tree_warm = timed(
        lambda: charts.tree_layout(selectors.relay_tree_nodes(project, focus=top), mine=top.pk)
    )
    relay_page = page(f"/s/relay/{project.slug}/")
    api = page(f"/api/v1/projects/{project.slug}/relay")
    project_page = page(f"/projects/{project.slug}/")

    problems = []

    def check(name, got, expect):
        if got != expect:
            problems.append(f"{name}: got {got!r}, expected {expect!r}")

    check("gifts through links", summary.gifts, want["gifts"])
    check("amount through links", summary.amount, want["amount"])
    check("distinct donors", summary.donors, want["donors"])
    check("links", summary.links, n_links)
    depths = summary.depths.items()
    check("gifts per generation", {d: (r["gifts"], r["amount"]) for d, r in depths if r["gifts"]}, want["by_depth"])
    check("links per generation", {d: r["links"] for d, r in depths if r["links"]}, dict(want["links_by_depth"]))
    check("links with children", summary.branching.parents, want["parents"])
    check("widest branching", summary.branching.widest, want["widest"])
    check("top link direct", (figures.donations, figures.amount), want["top_direct"])
    check("top link downstream", (figures.downstream_donations, figures.downstream_amount), want["top_down"])
    for name, (status, _s, _q) in {"relay page": relay_page, "relay API": api, "project page": project_page}.items():
        check(f"{name} status", status, 200)

    mode = "quick" if args.quick else "full"
    say(f"\nrelay tree and K ({mode}): cold {cold:.3f} s, warm {warm:.3f} s "
        f"(target for 1M gifts / 200k links: < {TARGET_SECONDS:.0f} s)")
    say(f"  K = {summary.k} ({summary.donors:,} donors through links / {summary.links:,} sharers); "
        f"{summary.gifts:,} gifts through links, max depth {summary.max_depth}, "
        f"mean branching {summary.branching.mean}, widest {summary.branching.widest}")
    say(f"one link's figures (root with {figures.downstream_donations:,} gifts downstream): "
        f"cold {link_cold:.3f} s, warm {link_warm:.3f} s")
    say(f"relay picture ({len(tree.dots)} links drawn): cold {tree_cold:.3f} s, warm {tree_warm:.3f} s")
    shown = (("relay page", relay_page), ("relay API", api), ("project page", project_page))
    for name, (status, seconds, count) in shown:
        say(f"{name}: HTTP {status} in {seconds:.3f} s, {count} queries")
    say(f"total {time.monotonic() - total:.1f} s")
    if problems:
        say("FAILED checks:\n  " + "\n  ".join(problems))
    else:
        say("all figures match a brute-force computation from the generated data")
    if args.json:
        print(json.dumps({
            "bench": "social", "mode": mode, "gifts": n_gifts, "links": n_links,
            "relay_cold_s": round(cold, 3), "relay_warm_s": round(warm, 3),
            "link_figures_cold_s": round(link_cold, 3), "link_figures_warm_s": round(link_warm, 3),
            "tree_cold_s": round(tree_cold, 3), "k": summary.k,
            "relay_page": {"s": round(relay_page[1], 3), "queries": relay_page[2]},
            "relay_api": {"s": round(api[1], 3), "queries": api[2]},
            "project_page": {"s": round(project_page[1], 3), "queries": project_page[2]},
            "ok": not problems,
        }))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
