"""Test-suite wiring shared by every test module.

- Transactional tests (live server, browser journeys, concurrency) empty the database
  between tests; the journal's append-only triggers are lifted for that reset only.
- With JUSHA_REQUIRE_POSTGRES=1 (CI's second run) the suite refuses to run on SQLite.
"""

import os

import pytest
from django.test import TransactionTestCase

from jusha.ledger.maintenance import ledger_unlocked

_original_fixture_teardown = TransactionTestCase._fixture_teardown


def _fixture_teardown_with_ledger_unlocked(self):
    with ledger_unlocked():
        _original_fixture_teardown(self)


TransactionTestCase._fixture_teardown = _fixture_teardown_with_ledger_unlocked


@pytest.fixture(autouse=True, scope="session")
def _database_matches_ci(django_db_setup, django_db_blocker):
    from django.db import connection

    if os.environ.get("JUSHA_REQUIRE_POSTGRES") == "1" and connection.vendor != "postgresql":
        pytest.exit("JUSHA_REQUIRE_POSTGRES=1 but the suite is running on " + connection.vendor, returncode=3)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _active_pools_read_every_time(settings):
    """This process keeps the active matching pools for up to a second (settings); a test
    that counts queries would count one more whenever the run is slow enough to cross that
    second. Tests read them every time; the cache's own tests set the window they test."""
    settings.JUSHA_MATCHING = {**settings.JUSHA_MATCHING, "pools_fresh_seconds": 0}


@pytest.fixture(autouse=True)
def _no_chunks_from_other_tests():
    """Each test's database starts empty: the pool chunks, accounts and active pools this
    process remembers are gone too."""
    from jusha.ledger.services import accounts_forget
    from jusha.matching.chunks import forget_all
    from jusha.matching.selectors import active_pools_forget

    forget_all()
    accounts_forget()
    active_pools_forget()


pytest_plugins = ["tests.factories"]
