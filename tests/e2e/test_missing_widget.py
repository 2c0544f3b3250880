"""The 404 widget on a third-party page with hostile global CSS, served from another port:
Chromium shows a legible notice drawn by the widget's own styles (shadow DOM), the host
page stays intact, and once the child is found a reload after the (shortened) cache
window no longer shows it. Jusha's own 404 page carries the widget under its CSP."""

import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jusha.missing import services
from tests.factories import make_member, make_user
from tests.missing.conftest import make_case, make_partner

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title>
<style>
div, p, img, section, a, h2, span { font-size: 2px !important; width: 1px !important; color: white !important }
* { box-sizing: content-box; line-height: 0.1 }
</style></head><body>
<h1 id="host-title">404 - this page went away</h1>
<p id="host-text">Some host paragraph.</p>
<div id="slot"><script async src="{src}" data-site="{key}" data-region="510000"></script></div>
<p id="host-after">Still here.</p>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, body, *args, **kwargs):
        self.body = body
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802
        data = self.body.encode()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def third_party(live_server):
    servers = []

    def serve(key):
        body = HOSTILE.replace("{src}", f"{live_server.url}/missing/404.js").replace("{key}", key)
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, body))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/missing-page"

    yield serve
    for server in servers:
        server.shutdown()


def _notice_name(page):
    return page.locator("jusha-missing").locator("p.n")


def test_widget_survives_hostile_css_and_leaves_when_found(page, third_party, settings):
    settings.JUSHA_MISSING_NOTICE_MAX_AGE = 2
    partner = make_partner()
    case = make_case(partner, photo=True, name="张小雨")
    site = services.site_register(owner=make_user(), domain="example.com", region_code="510000")
    url = third_party(site.key)

    page.goto(url)
    name = _notice_name(page)
    name.wait_for()
    assert name.inner_text() == "张小雨"
    assert name.evaluate("e => getComputedStyle(e).fontSize") == "20px"
    assert name.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)"
    # Its box keeps its own width even inside the host's 1-pixel-wide div (phone: 390 px).
    box = page.locator("jusha-missing").locator("section")
    assert box.evaluate("e => e.getBoundingClientRect().width") == 390 - 32
    image = page.locator("jusha-missing").locator("img")
    image.wait_for()
    assert image.evaluate("e => e.getBoundingClientRect().width") == 120
    assert image.get_attribute("alt").endswith("张小雨")
    page.wait_for_function("() => document.querySelector('jusha-missing').shadowRoot.querySelector('img').complete")
    assert image.evaluate("e => e.naturalWidth") == 240  # the 2x picture
    # The host page is intact: its own elements, its own (hostile) styles, nothing hidden.
    assert page.locator("#host-title").is_visible() and page.locator("#host-after").count() == 1
    assert page.locator("#host-text").evaluate("e => getComputedStyle(e).fontSize") == "2px"
    # Keyboard: the links are reachable and labelled.
    assert page.locator("jusha-missing").locator("section[aria-label]").count() == 1
    link = page.locator("jusha-missing").locator("a").first
    assert f"/missing/{case.pk}/" in link.get_attribute("href")
    link.focus()
    assert link.evaluate("e => e.getRootNode().activeElement === e")

    services.case_close(case=case, status="found", roles={"owner"}, actor=make_member(partner, "owner"))
    time.sleep(2.5)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("jusha-missing").count() == 0
    assert page.locator("#host-title").is_visible()


def test_unknown_key_shows_nothing_and_breaks_nothing(page, third_party):
    make_case()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(third_party("no-such-key"))
    page.wait_for_load_state("networkidle")
    assert page.locator("jusha-missing").count() == 0 and page.locator("#host-after").count() == 1
    assert errors == []


def test_jusha_own_404_page_shows_the_notice_under_its_policy(page, live_server):
    make_case(name="李小山")
    page.goto(f"{live_server.url}/no-such-page/")
    name = _notice_name(page)
    name.wait_for()
    assert name.inner_text() == "李小山"
    assert name.evaluate("e => getComputedStyle(e).fontSize") == "20px"
