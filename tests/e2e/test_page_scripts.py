"""Under the Content-Security-Policy the pages' scripts still work in a real browser: htmx,
the campaign countdown, the print button, the share link's select-on-click, the progress
bars' widths, Swagger UI; a receipt email's link opens the receipt once. The `page`
fixture fails a journey on any block the browser reports."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.factories import give, make_campaign, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_page_behaviours_work_under_the_policy(page, live_server, mailoutbox):
    project = make_project(goal=10_000, title="温暖包")
    gift = give(project, 4000, email="guest@example.org", message="冬天快乐")
    campaign = make_campaign(projects=[project])
    base = live_server.url

    # Progress bar: 40% of the goal, drawn by a width class (no inline style).
    page.goto(f"{base}/projects/{project.slug}/")
    bar = page.locator(".progress-box .progress > span").first
    outer = page.locator(".progress-box .progress").first
    ratio = bar.evaluate("e => e.getBoundingClientRect().width") / outer.evaluate("e => e.getBoundingClientRect().width")
    assert 0.39 < ratio < 0.41
    assert page.evaluate("() => typeof window.htmx") == "object"  # htmx loaded with its nonce
    assert page.evaluate("() => htmx.config.allowEval") is False

    # The campaign countdown ticks (static script).
    page.goto(f"{base}/campaigns/{campaign.slug}/")
    countdown = page.locator("[data-testid=countdown]")
    expect(countdown).to_have_text(re.compile(r"\d\d:\d\d:\d\d$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3000)

    # The receipt email's link: the public facts, then the whole receipt once opened.
    link = re.search(r"https?://\S+/donations/\S+", mailoutbox[0].body).group(0)
    parts = urlparse(link)
    page.goto(f"{base}{parts.path}?{parts.query}")
    assert "冬天快乐" not in page.content()
    page.locator("[data-testid=open-receipt]").click()
    page.wait_for_url(re.compile(rf"/donations/{gift.pk}/$"))
    assert "冬天快乐" in page.content() and "ticket" not in page.url

    # The print-ready receipt's button prints (site.js, no onclick).
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.goto(f"{base}/donations/{gift.pk}/?print=1")
    page.locator("button[data-print]").click()
    assert page.evaluate("() => window.__printed") == 1

    # The share link selects itself on a click.
    page.goto(f"{base}/s/share/{project.slug}/")
    page.locator("[data-testid=make-link]").click()
    field = page.locator("[data-testid=share-url]")
    field.click()
    assert page.evaluate("() => window.getSelection().toString() || document.activeElement.value.substring("
                         "document.activeElement.selectionStart, document.activeElement.selectionEnd)") == field.input_value()


def test_api_docs_and_admin_work_under_their_policies(page, live_server):
    make_user("staff@example.org", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)  # the spec has grown: Swagger UI draws it in the browser
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("input[name=username]").fill("staff@example.org")
    page.locator("input[name=password]").fill("correct-horse-battery")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
