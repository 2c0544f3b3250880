"""Service calls at the same moment, each in its own thread and database connection: the
concurrency tests of every app use these, and skip on SQLite saying why."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises all writers): run with DATABASE_URL=postgres://…")


def run_at_once(calls) -> tuple[list, list]:
    """Run each call in its own thread and connection, all released together by a barrier;
    returns (what the calls returned, the exceptions they raised)."""
    barrier, results, errors = threading.Barrier(len(calls)), [], []

    def worker(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - collected and asserted on by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors
