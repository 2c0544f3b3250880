"""The receipt's log panel draws the check the page passes, without a query."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from jusha.transparency.receipts import receipt_check
from tests.factories import give

pytestmark = pytest.mark.django_db


def test_receipt_proof_draws_the_given_check_without_queries(project):
    donation = give(project, 5000)
    check = receipt_check(donation)
    assert check.state != "none"
    with CaptureQueriesContext(connection) as captured:
        html = Template("{% load transparency_tags %}{% receipt_proof donation %}").render(
            Context({"donation": donation, "receipt_check": check})
        )
    assert len(captured) == 0, [q["sql"] for q in captured]
    assert 'id="log-panel"' in html and "public log" in html
