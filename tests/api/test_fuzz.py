"""The API fuzzed from its own OpenAPI document (schemathesis): no input, however odd,
reaches a server error, and every answer is one the document declares. A fixed seed and a
bounded number of examples per operation keep the run repeatable and short; CI runs it on
SQLite and again on PostgreSQL (where a NUL byte or a huge offset used to be a 500)."""

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from config.wsgi import application

EXAMPLES = int(os.environ.get("JUSHA_FUZZ_EXAMPLES", "25"))
SEEN: Counter = Counter()  # answers by status class, reported at the end of the run (tests/api/conftest.py)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
OPERATIONS = [path for path in schema.raw_schema["paths"] for method in schema.raw_schema["paths"][path]]


@pytest.fixture
def in_test_transaction():
    """The WSGI app runs in this process, in the test's transaction: keep Django from closing
    the connection at the end of each request (as its own test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def platform(db, in_test_transaction):
    """Something for the fuzzer's requests to find: a few projects and gifts."""
    from tests.factories import give, make_project

    project = make_project(slug="warm-packs")
    give(project, 5000)
    return project


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_reaches_a_server_error_and_every_answer_is_documented(case, platform):
    SEEN["operations"] = len(OPERATIONS)
    response = case.call_and_validate(checks=[not_a_server_error, status_code_conformance])
    SEEN["cases"] += 1
    SEEN[f"{response.status_code // 100}xx"] += 1
