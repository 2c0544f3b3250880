"""Lifting the journal's append-only triggers for one connection: test-suite resets only."""

from contextlib import contextmanager

from django.db import connections


@contextmanager
def ledger_unlocked(using: str = "default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET jusha.ledger_unlock = 'on'")
        elif connection.vendor == "sqlite":
            cursor.execute("INSERT INTO jusha_ledger_unlock (flag) VALUES (1)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET jusha.ledger_unlock")
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM jusha_ledger_unlock")
