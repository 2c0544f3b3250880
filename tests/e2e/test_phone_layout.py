"""Every public page at a 390 px phone: nothing wider than the screen, the give button in
reach (a give bar on the project page, 我要捐 beside each project in the giving-day
ranking), the fund-flow table before the picture."""

import pytest

from jusha.demo.loader import load_demo
from jusha.demo.pages import public_pages

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390

# The right edge of any visible element outside a frame that scrolls by itself.
OVERFLOWING = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let inside = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) && p.getBoundingClientRect().right <= width + 1) { inside = true; break; }
    }
    if (!inside) out.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
  }
  return out.slice(0, 5);
}"""


@pytest.fixture
def demo(settings):
    settings.JUSHA_DEMO, settings.DEBUG = True, True
    load_demo(gifts=40, out=lambda *args: None)


def test_no_public_page_is_wider_than_a_390_px_phone(page, live_server, demo):
    pages = public_pages()
    assert len(pages) >= 20
    wide = {}
    for name, path in pages:
        response = page.goto(live_server.url + path)
        assert response.status < 400, (name, path, response.status)
        assert page.viewport_size["width"] == WIDTH
        scroll = page.evaluate("document.documentElement.scrollWidth")
        offenders = page.evaluate(OVERFLOWING, WIDTH)
        if scroll > WIDTH or offenders:
            wide[name] = (scroll, offenders)
    assert wide == {}, wide


def test_the_give_button_is_under_the_thumb_on_a_phone(page, live_server, demo):
    page.goto(f"{live_server.url}/projects/warm-packs-for-elders/")
    bar = page.locator("[data-testid=give-bar]")
    box = bar.bounding_box()
    assert box and box["y"] + box["height"] <= 844 + 1 and box["y"] > 844 - 120  # at the bottom of the first screen
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= 844 + 1 and box["y"] > 844 - 120  # and still there after scrolling
    bar.get_by_role("link").click()
    page.wait_for_url("**/donations/new/warm-packs-for-elders/")


def test_ranking_and_flow_read_on_a_phone(page, live_server, demo):
    page.goto(f"{live_server.url}/campaigns/99-giving-day/")
    give = page.locator("[data-testid=leaderboard] a.btn").first
    box = give.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    name = page.locator("[data-testid=leaderboard] td.name a").first
    assert name.bounding_box()["width"] > 150  # not two characters a line

    page.goto(f"{live_server.url}/log/flow/warm-packs-for-elders/")
    table, picture = page.locator("[data-testid=flow-table]"), page.locator("[data-testid=sankey]")
    assert table.bounding_box()["y"] < picture.bounding_box()["y"]
    assert picture.bounding_box()["width"] >= 900  # drawn at a readable size, scrolling in its frame
