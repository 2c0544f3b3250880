"""A member reports a circle post (举报) from the circle page: it is hidden from others at
once; staff find it in the one reports queue and dismiss the report; the post is back."""

import re

import pytest
from django.contrib.auth import get_user_model

from jusha.community import circle_services
from jusha.community.models import CirclePost
from jusha.reports.models import Report
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username], input[name=email]").first.fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_a_reported_circle_post_is_hidden_then_restored_by_staff(page, live_server):
    staff = get_user_model().objects.create_user("staff-c@example.org", PASSWORD, is_staff=True)
    circle = circle_services.circle_create(kind="cause", cause="elders", actor=staff)
    author, reporter = make_user("author-c@example.org"), make_user("reporter-c@example.org")
    for member in (author, reporter):
        circle_services.circle_join(circle=circle, actor=member)
    posted = circle_services.post_create(circle=circle, body="周末一起去敬老院，加群 wx-888", actor=author)

    log_in(page, live_server, "reporter-c@example.org")
    page.goto(f"{live_server.url}/community/circles/{circle.slug}/")
    page.locator(f"#post-{posted.pk} [data-testid=report-post]").click()
    page.wait_for_url(re.compile(r"/reports/new/\?kind=circle_post"))
    page.locator("input[name=reason][value=spam]").check()
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_url(re.compile(r"/reports/sent/"))
    assert CirclePost.objects.get(pk=posted.pk).visibility == "hidden"
    page.goto(f"{live_server.url}/community/circles/{circle.slug}/")
    assert "wx-888" not in page.content()

    log_in(page, live_server, "staff-c@example.org")
    page.goto(f"{live_server.url}/reports/staff/")
    page.get_by_role("link", name=re.compile("wx-888")).first.click()
    page.locator("textarea[name=outcome]").fill("是活动召集，不是广告。")
    report = Report.objects.get()
    page.get_by_role("button", name="认定不成立", exact=True).click()
    page.locator("textarea[name=outcome]").wait_for(state="detached")  # decided: the form is gone
    assert f"/reports/staff/{report.pk}/" in page.url
    report.refresh_from_db()
    assert report.status == "dismissed"
    page.goto(f"{live_server.url}/community/circles/{circle.slug}/")
    assert "wx-888" in page.content()
