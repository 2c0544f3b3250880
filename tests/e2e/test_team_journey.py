"""一起捐 in a browser: a member opens a team from the project page, two guests give through
the team's page, the team page shows both gifts and the project's total moved by the same
amount; the cause's circle lists the project; a follower's feed shows the team's update."""

import re

import pytest

from jusha.community import circle_services, rules, services
from jusha.projects.selectors import project_sums
from tests.factories import PASSWORD, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0 Mobile Safari/537.36")


def new_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, user_agent=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.csp_blocked = blocked
    return context, page


def log_in(page, base, user, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_a_team_raises_money_and_its_followers_see_its_news(browser, live_server):
    project = make_project(goal=5_000_000, title="温暖包送老人", cause="elders")
    staff = make_user("journey-staff@example.org", is_staff=True)
    circle = circle_services.circle_create(kind="cause", cause="elders", name="关爱老人", actor=staff)
    captain = make_user("journey-captain@example.org", display_name="阿华")
    follower = make_user("journey-follower@example.org", display_name="小李")
    services.follow_start(actor=follower, source=rules.key("u", captain.pk))
    before = project_sums([project.pk])[project.pk].raised
    contexts = []
    try:
        # 1. The member opens a team from the project page.
        context, member = new_page(browser)
        contexts.append(context)
        log_in(member, live_server.url, captain, f"/projects/{project.slug}/")
        member.locator("[data-testid=open-team]").click()
        member.locator("input[name=name]").fill("阳光小队")
        member.locator("input[name=goal]").fill("1000")
        member.locator("textarea[name=story]").fill("我们一起给老人送温暖包")
        member.locator("[data-testid=create-team]").click()
        member.wait_for_url(re.compile(r"/community/teams/[a-z0-9-]+/$"))
        team_url = member.url
        assert member.locator("[data-testid=team-name]").inner_text() == "阳光小队"

        # 2. Two guests give through the team's page.
        for amount in ("30", "50"):
            context, guest = new_page(browser)
            contexts.append(context)
            guest.goto(team_url)
            guest.locator("[data-testid=team-give]").click()
            guest.locator("input[name=custom]").fill(amount)
            guest.locator("form button[type=submit]").last.click()
            guest.wait_for_url(re.compile(r"/pay/sandbox/"))
            guest.locator("[data-testid=pay-succeed]").click()
            guest.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))
            assert guest.csp_blocked == []

        # 3. The team page shows both; the project's total moved by the same amount.
        member.goto(team_url)
        assert member.locator("[data-testid=team-donors]").inner_text() == "2"
        assert "80" in member.locator("[data-testid=team-raised]").inner_text()
        assert project_sums([project.pk])[project.pk].raised - before == 8000

        # 4. The captain posts news; the circle lists the project.
        member.locator("#update-body").fill("已经有两位朋友加入捐款！")
        member.locator("[data-testid=post-update]").click()
        member.wait_for_url(re.compile(r"/community/teams/"))
        member.goto(f"{live_server.url}/community/circles/{circle.slug}/")
        assert "温暖包送老人" in member.locator("main").inner_text()
        assert member.csp_blocked == []

        # 5. The follower's feed shows the team's update.
        context, reader = new_page(browser)
        contexts.append(context)
        log_in(reader, live_server.url, follower, "/community/")
        items = reader.locator("[data-testid=feed-item]").all_inner_texts()
        assert any("已经有两位朋友加入捐款" in text for text in items), items
        assert reader.csp_blocked == []
    finally:
        for context in contexts:
            context.close()
