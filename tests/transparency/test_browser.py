"""A donor's receipt fills in its place in the public log by itself, in a real browser.

The journey runs Playwright in a thread of its own, so that it never meets the browser
the journeys in tests/e2e keep open for the whole session."""

import os
import queue
import re
import shutil
import threading
import time

import pytest

from jusha.transparency import services
from tests.factories import give, make_project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
CHROMIUM = os.environ.get("JUSHA_CHROMIUM", "/usr/bin/chromium")


def in_browser(journey):
    """Run `journey(page, main)` in Debian's chromium, in a thread; `main(fn)` runs `fn` in
    the test's thread (the database work, away from Playwright's event loop)."""
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not executable:
        message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("JUSHA_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " and JUSHA_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(message)
    errors, calls = [], queue.Queue()

    def main(fn):
        done = queue.Queue()
        calls.put((fn, done))
        ok, value = done.get(timeout=60)
        if not ok:
            raise value
        return value

    def run():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
                page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
                page.set_default_timeout(15_000)
                journey(page, main)
                browser.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while thread.is_alive() and time.monotonic() < deadline:
        try:
            fn, done = calls.get(timeout=0.1)
        except queue.Empty:
            continue
        try:
            done.put((True, fn()))
        except Exception as exc:  # noqa: BLE001 - handed back to the journey
            done.put((False, exc))
    thread.join(timeout=5)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "the browser journey did not finish"


def test_receipt_panel_updates_once_the_gift_is_in_the_log(live_server):
    project = make_project(goal=2_000_000, title="温暖包送老人")
    gift = give(project, 8_850)

    def journey(page, main):
        page.goto(f"{live_server.url}/donations/{gift.pk}/?access_token={gift.access_token}")
        assert page.locator("[data-testid=log-panel]").is_visible()
        assert not page.locator("[data-testid=log-verified]").count()
        main(services.log_sequence)  # the worker's sequencer, while the page waits
        page.locator("[data-testid=log-verified]").wait_for(timeout=10_000)  # HTMX refreshed the panel
        assert re.search(r"\b0\b", page.locator("[data-testid=log-verified]").inner_text())
        with page.expect_download() as download:
            page.locator("a[href$='.tlog-proof']").click()
        assert download.value.suggested_filename == f"jusha-{gift.receipt_number}.tlog-proof"
        page.goto(f"{live_server.url}/log/verify/")
        page.locator("input[name=receipt]").fill(gift.receipt_number)
        page.locator("form button[type=submit]").last.click()
        page.locator("[data-testid=log-verified]").wait_for()
        page.goto(f"{live_server.url}/log/flow/")
        assert page.locator("[data-testid=sankey] path").count() >= 2

    in_browser(journey)
