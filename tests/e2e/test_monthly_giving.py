"""Rational charity, end to end: a donor reaches a full project, follows a suggested
alternative and sets up a monthly pledge there instead (authorising the payments on the
sandbox's page); the next scheduled run, with the clock moved to the pledge's day, charges
it exactly once, and the gift shows on the project and on the donor's page."""

import re

import pytest
from django.test import TestCase

from jusha.giving.models import Donation
from jusha.pledges.models import Pledge, PledgeCharge
from jusha.pledges.charging import pledges_charge_due
from tests.factories import PASSWORD, give, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_full_project_to_alternative_to_monthly_pledge_charged_once(page, live_server):
    donor = make_user("yuejuan@example.org", display_name="月捐的人")
    full = make_project(goal=10_000, title="已经满额的项目", cause="children")
    give(full, 10_000)
    alternative = make_project(goal=500_000, title="还差很多的项目", cause="children")

    page.goto(f"{live_server.url}/accounts/login/?next=/donations/new/{full.slug}/")
    page.locator("input[name=username]").fill(donor.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()

    # The full project says so and lists where the money is needed, with gap and days left.
    page.locator("[data-testid=alternatives]").wait_for()
    first = page.locator("[data-testid=alternative]").first
    assert "还差很多的项目" in first.inner_text() and "¥5,000.00" in first.inner_text()
    first.locator("a").click()
    page.wait_for_url(re.compile(rf"/donations/new/{alternative.slug}/$"))
    assert "¥5,000.00" in page.locator("[data-testid=gap]").inner_text()

    # Monthly giving instead of a one-off gift.
    page.locator("[data-testid=pledge-offer-link]").click()
    page.locator("input[name=amount]").fill("30")
    page.locator("select[name=day]").select_option("6")
    page.locator("[data-testid=pledge-submit]").click()
    page.wait_for_url(re.compile(r"/pay/sandbox/agreement/"))
    page.locator("[data-testid=agreement-sign]").click()
    page.wait_for_url(re.compile(r"/donations/mine/$"))
    assert "¥30.00" in page.locator("[data-testid=pledge]").inner_text()
    pledge = Pledge.objects.get(donor=donor)
    assert pledge.agreement_status == "active" and pledge.next_charge_on.day == 6

    # The worker's next run, the clock moved to the pledge's day: charged once, however often it runs.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert pledges_charge_due(today=pledge.next_charge_on)["succeeded"] == 1
        assert pledges_charge_due(today=pledge.next_charge_on)["succeeded"] == 0
    assert PledgeCharge.objects.count() == 1
    gift = Donation.objects.get(donor=donor)
    assert gift.status == "paid" and gift.project == alternative and gift.amount == 3_000

    page.goto(f"{live_server.url}/projects/{alternative.slug}/")
    assert "¥30.00" in page.locator(".progress-box").first.inner_text()
    page.goto(f"{live_server.url}/donations/mine/")
    assert "还差很多的项目" in page.locator("table").inner_text() and "¥30.00" in page.locator("table").inner_text()
