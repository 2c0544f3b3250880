"""The API fuzzed from its own OpenAPI document (schemathesis): no input, however odd,
reaches a server error, and every answer is one the document declares. A fixed seed and a
bounded number of examples per operation keep the run repeatable and short; CI runs it on
SQLite and again on PostgreSQL (where a NUL byte or a huge offset used to be a 500)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from config.wsgi import application

EXAMPLES = int(os.environ.get("JUSHA_FUZZ_EXAMPLES", "25"))

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def platform(db):
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
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance])
