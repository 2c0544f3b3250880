"""The log-in limits as a caller meets them: wrong passwords sent to every door until it
locks, then the right one.

A fresh SQLite database in a temporary directory (or, with DATABASE_URL naming PostgreSQL,
a fresh database beside it, dropped afterwards), the settings of a real deployment
(`config.settings`, limits from the environment: JUSHA_LOGIN_ACCOUNT_FAILURES,
JUSHA_LOGIN_NETWORK_FAILURES, JUSHA_LOGIN_LOCK_MINUTES), requests through Django's test
client. For each door (the log-in page, POST /api/v1/auth/token, /admin/login/):
- one account from one network: wrong passwords until the answer is 429, then the right one;
- one network, a different account each time: one wrong password each until 429, then the
  right password of a fresh account;
then a password reset by email ending an account's lock, and the lock's end (the limiter's
clock moved on, no sleep). Prints what it measured; exits non-zero if a door let more wrong
passwords through than the settings allow or took the right password while locked.
(Passwords are hashed with MD5 here to keep the run short: the limiter counts the same with
any hasher.)

    .venv/bin/python bench/login_limits.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "correct-horse-battery"


def setup_django(tmp: Path) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "1")
    os.environ["JUSHA_VAR_DIR"] = str(tmp)
    os.environ["JUSHA_RATE_LIMIT_ENABLED"] = "1"
    url = os.environ.get("DATABASE_URL", "")
    label = "sqlite (temporary file)"
    if url.startswith("postgres"):
        import psycopg

        name = f"jusha_bench_login_{os.getpid()}"
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
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
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


def doors():
    from django.urls import reverse

    def page(client, email, password):
        return client.post(reverse("accounts:login"), {"username": email, "password": password})

    def api(client, email, password):
        data = {"email": email, "password": password}
        return client.post("/api/v1/auth/token", data, content_type="application/json")

    def admin(client, email, password):
        return client.post("/admin/login/", {"username": email, "password": password, "next": "/admin/"})

    # name: (send, the status that says "let in")
    return {"log-in page": (page, 302), "POST /api/v1/auth/token": (api, 200), "/admin/login/": (admin, 302)}


def until_locked(send, client, emails, cap):
    """Wrong passwords (one email after another) until 429; returns (answered, the 429)."""
    for answered in range(cap):
        response = send(client, emails(answered), "wrong-password")
        if response.status_code == 429:
            return answered, response
    return cap, None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the same run (it is short)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jusha-bench-login-") as tmp:
        try:
            label = setup_django(Path(tmp))
            return run(args, label)
        finally:
            drop_database()


def run(args, label) -> int:
    import logging

    from django.conf import settings
    from django.core import mail
    from django.test import Client
    from django.urls import reverse

    from jusha.accounts import lockout
    from jusha.accounts.models import User

    logging.getLogger("django.request").setLevel(logging.ERROR)  # every 401 and 429 is expected here
    account_limit, window = settings.JUSHA_LOGIN_LIMITS["account"]
    network_limit, _window = settings.JUSHA_LOGIN_LIMITS["network"]
    print(f"log-in limits on {label}: per account {account_limit} failures / {window // 60} min, "
          f"per network {network_limit} failures / {window // 60} min")
    figures, problems, net = {}, [], iter(range(1, 250))

    def new_user(email):
        return User.objects.create_user(email, PASSWORD, is_staff=True)

    for n, (door, (send, let_in)) in enumerate(doors().items()):
        email = f"door{n}@example.org"
        new_user(email)
        client = Client(REMOTE_ADDR=f"198.51.100.{next(net)}")
        answered, locked = until_locked(send, client, lambda _i, e=email: e, 10 * account_limit)
        right = send(client, email, PASSWORD)
        row = {
            "account_wrong_answered": answered,
            "account_retry_after": locked and int(locked["Retry-After"]),
            "account_right_password_then": right.status_code,
        }
        prefix = f"spray{n}-"
        client = Client(REMOTE_ADDR=f"198.51.100.{next(net)}")
        for i in range(network_limit + 1):
            new_user(f"{prefix}{i}@example.org")
        answered_net, locked_net = until_locked(
            send, client, lambda i: f"{prefix}{i}@example.org", network_limit + 1
        )
        fresh = f"{prefix}{network_limit}@example.org"
        right_net = send(client, fresh, PASSWORD)
        row |= {
            "network_wrong_answered": answered_net,
            "network_retry_after": locked_net and int(locked_net["Retry-After"]),
            "network_right_password_then": right_net.status_code,
            "other_network_right_password": send(Client(REMOTE_ADDR="203.0.113.9"), fresh, PASSWORD).status_code,
        }
        figures[door] = row
        print(f"  {door}: one account, one network: {answered} wrong passwords answered, then 429 "
              f"(Retry-After {row['account_retry_after']} s); the right password then: {right.status_code}")
        print(f"  {door}: one network, a new account each time: {answered_net} wrong passwords answered, "
              f"then 429 (Retry-After {row['network_retry_after']} s); a fresh account's right password then: "
              f"{right_net.status_code}, from another network: {row['other_network_right_password']}")
        if answered != account_limit or locked is None or right.status_code != 429:
            problems.append(f"{door}: the account lock")
        if answered_net != network_limit or locked_net is None or right_net.status_code != 429:
            problems.append(f"{door}: the network lock")
        if row["other_network_right_password"] != let_in:
            problems.append(f"{door}: another network was refused")

    # A password reset by email ends the account's lock (the first door's account).
    send, let_in = doors()["log-in page"]
    client = Client(REMOTE_ADDR=f"198.51.100.{next(net)}")
    client.post(reverse("accounts:password_reset"), {"email": "door0@example.org"})
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    new_password = "a-fresh-and-long-passphrase"
    client.post(client.get(link).url, {"new_password1": new_password, "new_password2": new_password})
    after_reset = send(Client(REMOTE_ADDR=f"198.51.100.{next(net)}"), "door0@example.org", new_password).status_code
    # The lock ends by itself after the window (the limiter's clock moved, nothing slept).
    real_clock = lockout.clock
    lockout.clock = lambda: real_clock() + window + 1
    try:
        # door1's account, from the network it was locked from, at the log-in page
        after_window = send(Client(REMOTE_ADDR="198.51.100.3"), "door1@example.org", PASSWORD).status_code
    finally:
        lockout.clock = real_clock
    figures["after_reset"], figures["after_window"] = after_reset, after_window
    print(f"  a password reset by email, then the new password: {after_reset}; "
          f"another locked account once the window has passed: {after_window}")
    if after_reset != let_in:
        problems.append("the reset did not end the lock")
    if after_window != let_in:
        problems.append("the lock did not end")
    if args.json:
        print(json.dumps({"benchmark": "login_limits", "figures": figures}))
    if problems:
        print("PROBLEMS: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
