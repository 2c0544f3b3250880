"""One-to-one sponsorship in the browser: a donor sponsors a student, pays the first month
and authorises the monthly pledge that pays the rest; the organisation posts a report; the
donor replies and the organisation passes it on; a month later the pledge charges the
second month (the worker's run, the clock moved); a report goes long overdue (the worker's
check run on a later day); a follow-up case opens (the pledge pauses), the donor reads kind
words, and the case closes with the student reached (the pledge resumes)."""

import re
from datetime import timedelta

import pytest

from django.test import TestCase

from jusha.pledges.models import Pledge, PledgeCharge
from jusha.pledges.charging import pledges_charge_due
from jusha.sponsorship import casework, pledging
from jusha.sponsorship.models import FollowUpCase, Message, Sponsorship
from tests.factories import PASSWORD, make_user
from tests.sponsorship.conftest import make_beneficiary, make_programme

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()


def test_a_sponsorship_from_first_month_through_a_lost_contact_follow_up(page, browser, live_server, monkeypatch):
    programme = make_programme()
    beneficiary = make_beneficiary(programme, alias="小红")
    editor = programme.organisation.memberships.filter(role="owner").first().user
    donor = make_user()

    # The donor chooses a student and pays the first month at the sandbox.
    log_in(page, live_server, donor, "/sponsorship/")
    page.locator("[data-testid=students]").wait_for()
    page.get_by_role("link", name="小红").first.click()
    assert "李小红" not in page.content()
    page.locator("[data-testid=sponsor-form] input[name=amount]").fill("300")
    page.locator("[data-testid=sponsor-form] button").click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    page.locator("[data-testid=pay-succeed]").click()
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/"))  # the gift's receipt
    page.locator("[data-testid=sponsorship-receipt]").wait_for()
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.status == "active" and sponsorship.paid_through == 1

    # The later months: the donor authorises the monthly pledge once, at the sandbox.
    page.goto(f"{live_server.url}/sponsorship/s/{sponsorship.pk}/")
    page.locator("[data-testid=pledge-sign]").click()
    page.wait_for_url(re.compile(r"/pay/sandbox/agreement/"))
    page.locator("[data-testid=agreement-sign]").click()
    page.wait_for_url(re.compile(rf"/sponsorship/s/{sponsorship.pk}/$"))
    assert "¥300.00" in page.locator("[data-testid=pledge]").inner_text()
    pledge = Pledge.objects.get(target_kind="sponsorship", target_ref=str(sponsorship.pk))
    assert pledge.agreement_status == "active" and pledge.donor == donor

    # The organisation posts a report.
    org = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    org_page = org.new_page()
    org_page.set_default_timeout(15_000)
    log_in(org_page, live_server, editor, f"/sponsorship/s/{sponsorship.pk}/")
    org_page.locator("[data-testid=sponsorship]").wait_for()
    org_page.locator("[data-testid=report-form] summary, details:has([data-testid=report-form]) summary").first.click()
    org_page.locator("[data-testid=report-form] input[name=grades]").fill("数学 98，语文 95")
    org_page.locator("[data-testid=report-form] textarea[name=letter]").fill("叔叔好！谢谢您，我这学期进步了。")
    org_page.locator("[data-testid=report-form] button").click()
    org_page.locator("[data-testid=timeline]").wait_for()

    # The donor reads it and replies; a phone number is refused, naming it.
    page.goto(f"{live_server.url}/sponsorship/s/{sponsorship.pk}/")
    assert "数学 98" in page.locator("[data-testid=timeline]").inner_text()
    assert page.locator("[data-testid=paid-in]").inner_text() == "¥300.00"
    page.locator("[data-testid=message-form] textarea").fill("真棒！有事打我电话 138 1234 5678")
    page.locator("[data-testid=message-form] button").click()
    assert "138 1234 5678" in page.locator("[data-testid=message-form]").inner_text()
    page.locator("[data-testid=message-form] textarea").fill("真棒！继续加油，不管考得怎样我们都在。")
    page.locator("[data-testid=message-form] button").click()
    page.locator("[data-testid=timeline]").wait_for()
    assert Message.objects.get().status == "pending"

    # The organisation passes it on.
    org_page.goto(f"{live_server.url}/sponsorship/s/{sponsorship.pk}/")
    org_page.get_by_role("button", name=re.compile("^(转交|Pass on)$")).first.click()
    org_page.locator("[data-testid=timeline]").wait_for()
    assert Message.objects.get().status == "relayed"

    # A month later the worker's pledge run charges the second month, once, however often it runs.
    pledge.refresh_from_db()
    day = pledge.next_charge_on
    if pledging.rules.months_between(sponsorship.starts_on, day) < 1:  # the first month was paid on the pay page
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert pledges_charge_due(today=day)["succeeded"] == 0
        pledge.refresh_from_db()
        day = pledge.next_charge_on
    monkeypatch.setattr(pledging, "today", lambda: day)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert pledges_charge_due(today=day)["succeeded"] == 1
        assert pledges_charge_due(today=day)["succeeded"] == 0
    assert PledgeCharge.objects.filter(pledge=pledge, status="succeeded").count() == 1
    page.goto(f"{live_server.url}/sponsorship/s/{sponsorship.pk}/")
    assert page.locator("[data-testid=paid-in]").inner_text() == "¥600.00"
    assert page.locator("[data-testid=by-pledge]").count() == 1  # month 2, charged by the pledge
    sponsorship.refresh_from_db()
    assert sponsorship.paid_through == 2

    # Time passes: the next report is 40 days late when the worker checks.
    sponsorship.refresh_from_db()
    assert casework.sponsorships_check_reports(on=sponsorship.next_report_due + timedelta(days=40)) == 1
    page.goto(f"{live_server.url}/sponsorship/s/{sponsorship.pk}/")
    words = page.locator("[data-testid=case-open]").inner_text()
    assert words and "责" not in words.replace("负责", "")  # kind, without blame
    assert page.locator("[data-testid=status]").inner_text() != ""
    pledge.refresh_from_db()
    assert pledge.status == "paused"  # nothing is charged while the organisation follows up

    # The organisation follows up and reaches her.
    case = FollowUpCase.objects.get()
    org_page.goto(f"{live_server.url}/sponsorship/cases/{case.pk}/")
    org_page.locator("[data-testid=step-form] select[name=kind]").select_option("call")
    org_page.locator("[data-testid=step-form] textarea").fill("联系上班主任，小红考试失利后不好意思回信。")
    org_page.locator("[data-testid=step-form] button").click()
    org_page.locator("[data-testid=close-form] select[name=outcome]").select_option("reached")
    org_page.locator("[data-testid=close-form] textarea").fill("她很好，下周会写信。")
    org_page.locator("[data-testid=close-form] button").click()
    assert org_page.locator("[data-testid=case-status]").inner_text() != ""
    org.close()

    page.goto(f"{live_server.url}/sponsorship/s/{sponsorship.pk}/")
    assert "她很好" in page.locator("[data-testid=case-closed]").inner_text()
    sponsorship.refresh_from_db()
    pledge.refresh_from_db()
    assert sponsorship.status == "active" and pledge.status == "active"
    timeline = page.locator("[data-testid=timeline] li")
    assert timeline.count() >= 5  # start, month, report, message, follow-up opened and finished
