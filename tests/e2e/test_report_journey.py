"""A guest reports a project (举报) with a photo; staff take it up and uphold it with a
suspension; the project page then shows the outcome and stops taking gifts, and never who
reported it."""

import re

import pytest
from django.contrib.auth import get_user_model

from jusha.reports.models import Report
from tests.factories import PASSWORD, make_project, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_guests_report_is_upheld_and_the_project_is_suspended(page, live_server, tmp_path, settings):
    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"
    project = make_project(goal=2_000_000, title="温暖包送老人")
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.get_by_role("link", name=re.compile("举报这个项目")).click()
    page.wait_for_url(re.compile(r"/reports/new/"))
    page.locator("input[name=reason][value=fraud]").check()
    page.locator("textarea[name=details]").fill("照片是别的机构的")
    evidence = tmp_path / "evidence.png"
    evidence.write_bytes(png_bytes((80, 60)))
    page.locator("input[name=evidence]").set_input_files(str(evidence))
    page.locator("input[name=contact]").fill("whistle@example.org")
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_url(re.compile(r"/reports/sent/"))
    report = Report.objects.get()
    assert report.evidence.count() == 1 and report.reporter_contact == "whistle@example.org"

    get_user_model().objects.create_user("staff-e2e@example.org", PASSWORD, is_staff=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username], input[name=email]").first.fill("staff-e2e@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.goto(f"{live_server.url}/reports/staff/")
    page.get_by_role("link", name=project.title).first.click()
    assert "whistle@example.org" in page.content()  # staff see who reported
    page.get_by_role("button", name="开始核查").click()
    page.locator("textarea[name=outcome]").fill("经核实照片取自他人求助帖。")
    page.locator("input[name=suspend]").check()
    page.get_by_role("button", name="认定成立", exact=True).click()
    page.wait_for_url(re.compile(rf"/reports/staff/{report.pk}/"))

    page.goto(f"{live_server.url}/projects/{project.slug}/")
    body = page.content()
    assert "经核实照片取自他人求助帖" in body and "whistle" not in body
    assert page.locator("[data-testid=give-bar]").count() == 0
    project.refresh_from_db()
    assert project.status == "suspended"
