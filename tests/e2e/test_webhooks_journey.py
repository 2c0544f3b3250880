"""Webhooks in a browser: an organisation's owner finds 连接您自己的系统 on the dashboard,
adds an endpoint (a receiver on loopback) on the webhooks page, sees the secret once; a
donor's gift arrives at the receiver signed; the page shows the delivery and its answer,
and 重新投递 sends it again with the same webhook-id."""

import json
import re

import pytest
from standardwebhooks.webhooks import Webhook

from tests.alliance.conftest import loopback  # noqa: F401 - the receiver fixture
from tests.factories import PASSWORD, give, make_member, make_org, make_project

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_subscribes_and_replays(page, live_server, loopback):  # noqa: F811
    org = make_org(name="暖冬公益")
    owner = make_member(org, "owner")
    project = make_project(org, title="暖冬包")
    loopback.answer("/hook", 200)

    page.goto(f"{live_server.url}/accounts/login/?next=/orgs/dashboard/")
    page.locator("input[name=username]").fill(owner.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(re.compile(r"/orgs/dashboard/$"))
    page.locator("a[href='/alliance/webhooks/']").first.click()
    page.wait_for_url(re.compile(r"/alliance/webhooks/$"))

    page.locator("input[name=url]").fill(loopback.base + "/hook")
    page.locator("input[value='donation.paid']").check()
    page.locator(".webhook-form button[type=submit]").click()
    secret = page.locator(".secret").inner_text().strip()
    assert secret.startswith("whsec_")

    donation = give(project, 6600)  # a donor pays, as through the sandbox
    [seen] = loopback.posts("/hook")
    event = Webhook(secret).verify(seen.body, seen.headers)
    assert event["type"] == "donation.paid" and event["data"]["id"] == str(donation.pk)

    page.reload()
    row = page.locator(".endpoint tbody tr").first
    assert "donation.paid" in row.inner_text() and "200" in row.inner_text()
    row.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/alliance/webhooks/$"))
    first, second = loopback.posts("/hook")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert json.loads(second.body) == json.loads(first.body)
