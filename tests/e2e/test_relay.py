"""爱心接力 in a browser: a member shares a project; a guest opens the link, gives and lights
the relay; a third visitor gives through the guest's link; the member's relay page shows
both gifts downstream of their link."""

import re

import pytest

from jusha.social.models import Attribution, ShareLink
from tests.factories import PASSWORD, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# A phone browser's user agent: headless Chromium's own says "HeadlessChrome", which the
# platform (rightly) treats as a bot and does not count.
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0 Mobile Safari/537.36")


def new_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, user_agent=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def give(page, amount: str):
    """From the project page: donate and pay at the sandbox; ends on the receipt."""
    page.locator(".progress-box a.btn").first.click()
    page.locator("input[name=custom]").fill(amount)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    page.locator("[data-testid=pay-succeed]").click()
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/$"))


def test_relay_grows_through_a_guest(browser, live_server):
    project = make_project(goal=5_000_000, title="温暖包送老人")
    sharer = make_user("relay-member@example.org", display_name="阿华")
    contexts = []
    try:
        # 1. The member logs in and shares the project.
        context, member = new_page(browser)
        contexts.append(context)
        member.goto(f"{live_server.url}/accounts/login/?next=/projects/{project.slug}/")
        member.locator("input[name=username]").fill(sharer.email)
        member.locator("input[name=password]").fill(PASSWORD)
        member.locator("form.stack button[type=submit]").click()
        member.wait_for_url(re.compile(rf"/projects/{project.slug}/$"))
        member.locator("[data-testid=share-project]").click()
        member.locator("[data-testid=make-link]").click()
        member_url = member.locator("[data-testid=share-url]").input_value()
        assert re.fullmatch(rf"{re.escape(live_server.url)}/s/[a-z2-9]{{8}}", member_url)
        # The poster (an SVG built by the server) loads and renders: wait for the load, not a fixed time.
        member.wait_for_function("() => { const i = document.querySelector('.poster img'); return i && i.complete; }")
        assert member.locator(".poster img").evaluate("img => img.naturalWidth") > 0

        # 2. A guest opens the link, gives, and lights the relay.
        context, guest = new_page(browser)
        contexts.append(context)
        guest.goto(member_url)
        guest.wait_for_url(re.compile(rf"/projects/{project.slug}/$"))
        assert "温暖包送老人" in guest.title()
        give(guest, "30")
        guest.locator("#light-show-name").check()
        guest.locator("#light-name").fill("小明")
        guest.locator("[data-testid=light-relay]").click()
        guest.wait_for_url(re.compile(rf"/s/share/{project.slug}/$"))
        guest_url = guest.locator("[data-testid=share-url]").input_value()
        assert guest_url != member_url
        assert guest.locator("[data-testid=my-downstream]").inner_text() == "0"

        # 3. A third visitor gives through the guest's link.
        context, third = new_page(browser)
        contexts.append(context)
        third.goto(guest_url)
        third.wait_for_url(re.compile(rf"/projects/{project.slug}/$"))
        give(third, "50")

        # 4. The member sees two gifts downstream of their link, and the relay tree.
        member.goto(f"{live_server.url}/s/relay/{project.slug}/")
        assert member.locator("[data-testid=my-donations]").inner_text() == "1"
        assert member.locator("[data-testid=my-downstream]").inner_text() == "2"
        assert member.locator("[data-testid=relay-tree] circle").count() == 2
        assert "小明" in member.locator("[data-testid=badge]").first.inner_text()

        member_link, guest_link = ShareLink.objects.order_by("pk")
        assert guest_link.parent == member_link and guest_link.depth == 2 and guest_link.lit_at
        assert member_link.opens == 1 and guest_link.opens == 1
        assert sorted(Attribution.objects.values_list("link_id", "counted", "amount")) == sorted(
            [(member_link.pk, True, 3000), (guest_link.pk, True, 5000)]
        )
        # The figures are the member's alone: the guest's browser gets a 404 from the API.
        assert guest.request.get(f"{live_server.url}/api/v1/share-links/{member_link.code}").status == 404
    finally:
        for context in contexts:
            context.close()
