"""Pages: previews on the project page, share links opened, the share page and its poster,
lighting the relay from the receipt, the relay page, the member's and the organisation's
figures, and bad input that changes nothing."""

import io
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from jusha.giving.models import Donation
from jusha.reports.models import Report
from jusha.social.models import Attribution, ShareLink, ShareOpen
from tests.factories import give, make_member, make_org, make_project, make_user, png_bytes
from tests.social.conftest import BROWSER, give_via, guest, member, share

pytestmark = pytest.mark.django_db


def browser(**extra) -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, **extra)


def with_cover(project):
    project.cover.save("cover.png", ContentFile(png_bytes((640, 400))), save=True)
    return project


def state():
    return tuple(model.objects.count() for model in (ShareLink, Attribution, ShareOpen, Report))


# --- the project page ------------------------------------------------------------------

def test_project_page_has_previews_and_a_share_button(client, project):
    give(project, 250_000)
    html = client.get(f"/projects/{project.slug}/").content.decode()
    assert f'<meta property="og:image" content="http://testserver/s/card/{project.slug}.png">' in html
    assert f'<meta property="og:url" content="http://testserver/projects/{project.slug}/">' in html
    assert f'<meta property="og:title" content="{project.title}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta name="twitter:data2" content="25%">' in html
    description = re.search(r'<meta property="og:description" content="([^"]*)">', html).group(1)
    assert "¥2,500.00" in description and "25%" in description
    assert f'href="/s/share/{project.slug}/"' in html and f'href="/s/relay/{project.slug}/"' in html


def test_preview_tags_are_escaped(client, org):
    project = make_project(org, title='Warm "packs" <script>alert(1)</script>')
    html = client.get(f"/projects/{project.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'content="Warm &quot;packs&quot; &lt;script&gt;' in html


@pytest.mark.parametrize("cover", [False, True])
def test_preview_card_is_a_png_without_text(client, project, cover):
    if cover:
        with_cover(project)
    response = client.get(f"/s/card/{project.slug}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert client.get("/s/card/no-such-project.png").status_code == 404
    assert client.get(f"/s/card/{make_project(status='draft').slug}.png").status_code == 404


# --- opening a link --------------------------------------------------------------------

def test_opening_a_link_counts_remembers_and_redirects(project, sharer):
    link = share(project, member(sharer))
    visitor = browser()
    response = visitor.get(f"/s/{link.code}")
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.slug}/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert visitor.session["jusha_refs"] == {str(project.pk): link.code}
    visitor.get(f"/s/{link.code}")
    link.refresh_from_db()
    assert link.opens == 1
    visit = ShareOpen.objects.get()
    assert len(visit.visitor) == 32 and "127.0.0.1" not in visit.visitor


def test_bots_and_the_sharer_are_not_counted(project, sharer):
    link = share(project, member(sharer))
    bot = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert bot.get(f"/s/{link.code}").status_code == 302
    assert "jusha_refs" not in bot.session
    owner = browser()
    owner.force_login(sharer)
    assert owner.get(f"/s/{link.code}").status_code == 302
    assert "jusha_refs" not in owner.session
    link.refresh_from_db()
    assert link.opens == 0 and ShareOpen.objects.count() == 0


@pytest.mark.parametrize("code", ["nonsense", "ABCDEFGH", "23456789", "%00", "a" * 300])
def test_malformed_and_unknown_codes_are_404(code):
    for path in (f"/s/{code}", f"/s/{code}/poster.svg", f"/s/{code}/poster.png"):
        assert browser().get(path).status_code == 404
    assert state() == (0, 0, 0, 0)


def test_links_to_closed_projects_open_the_project_and_count_nothing(sharer):
    project = make_project()
    link = share(project, member(sharer))
    project.__class__.objects.filter(pk=project.pk).update(status="funded")
    response = browser().get(f"/s/{link.code}")
    assert response.status_code == 302
    assert ShareOpen.objects.count() == 0


def test_a_gift_through_the_donate_form_after_opening_a_link(project, sharer):
    link = share(project, member(sharer))
    visitor = browser()
    visitor.get(f"/s/{link.code}")
    response = visitor.post(f"/donations/new/{project.slug}/", {"custom": "12.50", "idempotency_key": uuid.uuid4().hex})
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert Attribution.objects.get().donation == donation and not Attribution.objects.get().counted


# --- the share page and posters --------------------------------------------------------

def test_guest_gets_a_link_bound_to_their_browser(project):
    visitor = browser()
    page = visitor.get(f"/s/share/{project.slug}/")
    assert page.status_code == 200 and 'data-testid="make-link"' in page.content.decode()
    assert visitor.post(f"/s/share/{project.slug}/").status_code == 302
    link = ShareLink.objects.get()
    html = visitor.get(f"/s/share/{project.slug}/").content.decode()
    assert f"http://testserver/s/{link.code}" in html and f"/s/{link.code}/poster.svg" in html
    assert 'data-testid="my-downstream">0<' in html
    # Another browser sees no link of its own.
    assert link.code not in browser().get(f"/s/share/{project.slug}/").content.decode()
    visitor.post(f"/s/share/{project.slug}/")
    assert ShareLink.objects.count() == 1


def test_sharing_a_closed_or_draft_project_changes_nothing(sharer):
    funded = make_project(status="funded")
    visitor = browser()
    visitor.force_login(sharer)
    response = visitor.post(f"/s/share/{funded.slug}/")
    assert response.status_code == 409
    assert "not taking gifts" in visitor.get(f"/s/share/{funded.slug}/").content.decode()
    assert visitor.post(f"/s/share/{make_project(status='draft').slug}/").status_code == 404
    assert visitor.post("/s/share/no-such-project/").status_code == 404
    assert state() == (0, 0, 0, 0)


def test_link_floods_from_one_browser_are_refused(settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "share_link_create": (2, 60)}
    projects = [make_project() for _ in range(3)]
    visitor = browser()
    codes = [visitor.post(f"/s/share/{p.slug}/").status_code for p in projects]
    assert codes[:2] == [302, 302] and codes[2] == 429
    assert ShareLink.objects.count() == 2


def test_svg_poster_with_cover(client, project, sharer):
    with_cover(project)
    link = share(project, member(sharer))
    response = client.get(f"/s/{link.code}/poster.svg")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "data:image/jpeg;base64," in svg and 'data-panel="plain"' not in svg
    assert 'data-qr="1"' in svg and project.title in svg and f"http://testserver/s/{link.code}" in svg
    download = client.get(f"/s/{link.code}/poster.svg?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="jusha-{link.code}.svg"'


def test_svg_poster_without_cover_has_a_plain_panel_and_escapes_text(client, org, sharer):
    project = make_project(org, title="<script>温暖</script> & co")
    link = share(project, member(sharer))
    svg = client.get(f"/s/{link.code}/poster.svg").content.decode()
    assert 'data-panel="plain"' in svg and "data:image" not in svg
    assert "<script>" not in svg and "&lt;script&gt;温暖" in svg


def test_svg_poster_is_well_formed_xml_whatever_the_title_and_organisation_say(client, sharer):
    """The poster is XML (served as image/svg+xml, opened outside any HTML page): markup,
    ampersands, quotes and control characters in user text stay text and never break it."""
    import xml.etree.ElementTree as ET

    from jusha.organisations.models import Organisation

    org = make_org(name="Acme & <b>Sons</b>")
    Organisation.objects.filter(pk=org.pk).update(name='O\'Neil & "Co" <script>alert(1)</script>\x0b\x1b')
    title = "<script>alert('x')</script> & <![CDATA[ ]]> 温暖\x0c包\x01"
    project = make_project(Organisation.objects.get(pk=org.pk), title=title)
    link = share(project, member(sharer))
    svg = client.get(f"/s/{link.code}/poster.svg").content.decode()
    assert "<script" not in svg and "<b>" not in svg and "<![CDATA[" not in svg
    root = ET.fromstring(svg.encode())  # raises on anything that is not well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "<script>alert('x')</script> & <![CDATA[ ]]> 温暖包"
    assert root.get("aria-label") == "<script>alert('x')</script> & <![CDATA[ ]]> 温暖包"
    texts = ["".join(t.itertext()) for t in root.iter(f"{ns}text")]
    assert 'O\'Neil & "Co" <script>alert(1)</script>' in texts
    assert "".join(texts).count("<script>") == 2  # the title's first line and the organisation, as text
    assert not root.findall(f".//{ns}script") and not root.findall(".//script")


def test_png_poster_needs_a_configured_font(client, project, sharer, settings):
    link = share(project, member(sharer))
    settings.JUSHA_POSTER_FONT = ""
    response = client.get(f"/s/{link.code}/poster.png")
    assert response.status_code == 404 and b"JUSHA_POSTER_FONT" in response.content
    fonts = [p for p in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                         "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
                         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") if Path(p).exists()]
    if not fonts:
        pytest.skip("no font file on this machine to draw a PNG poster with")
    settings.JUSHA_POSTER_FONT = fonts[0]
    with_cover(project)
    response = client.get(f"/s/{link.code}/poster.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (600, 960)


# --- lighting the relay ----------------------------------------------------------------

def test_guest_lights_the_relay_from_the_receipt(project, sharer):
    root = share(project, member(sharer))
    visitor = browser()
    visitor.get(f"/s/{root.code}")
    visitor.post(f"/donations/new/{project.slug}/", {"custom": "20", "idempotency_key": uuid.uuid4().hex})
    donation = Donation.objects.get()
    from jusha.payments.sandbox import SandboxProvider

    SandboxProvider().complete(donation.intent_id, "succeeded")
    receipt = visitor.get(f"/donations/{donation.pk}/").content.decode()
    assert 'data-testid="light-relay"' in receipt
    assert 'data-testid="light-relay"' not in browser().get(f"/donations/{donation.pk}/").content.decode()
    response = visitor.post(f"/s/light/{donation.pk}/", {"show_name": "on", "shown_name": "小明"})
    assert response.status_code == 302 and response["Location"] == f"/s/share/{project.slug}/"
    lit = ShareLink.objects.exclude(pk=root.pk).get()
    assert lit.parent == root and lit.depth == 2 and lit.shown_name == "小明" and lit.lit_at
    relay = visitor.get(f"/s/relay/{project.slug}/").content.decode()
    assert "小明" in relay and 'data-mine="1"' in relay


def test_lighting_someone_elses_or_an_unpaid_gift_changes_nothing(project):
    paid = give(project, 1000)
    assert browser().post(f"/s/light/{paid.pk}/").status_code == 404
    assert browser().post(f"/s/light/{uuid.uuid4()}/").status_code == 404
    assert browser().get(f"/s/light/{paid.pk}/").status_code == 405
    donor = make_user()
    pending = give(project, 1000, result=None, donor=donor)
    owner = browser()
    owner.force_login(donor)
    assert owner.post(f"/s/light/{pending.pk}/").status_code == 409
    assert state() == (0, 0, 0, 0)


def test_a_name_is_shown_only_if_chosen(project, sharer):
    donor = make_user(display_name="Visible Name")
    gift = give_via(project, share(project, member(sharer)).code, donor=donor)
    visitor = browser()
    visitor.force_login(donor)
    visitor.post(f"/s/light/{gift.pk}/", {"shown_name": "Visible Name"})  # box not ticked
    html = browser().get(f"/s/relay/{project.slug}/").content.decode()
    assert "Visible Name" not in html and "A kind guest" in html


# --- relay, influence and dashboard pages ----------------------------------------------

def test_relay_page_shows_tree_badges_and_thresholded_figures(project, sharer):
    root = share(project, member(sharer))
    give_via(project, root.code, 1000)
    html = browser().get(f"/s/relay/{project.slug}/").content.decode()
    assert 'data-testid="relay-tree"' in html and "<circle" in html
    assert "fewer than 3" in html and "hidden" in html
    assert "¥10.00" not in html
    owner = browser()
    owner.force_login(sharer)
    mine = owner.get(f"/s/relay/{project.slug}/").content.decode()
    assert 'data-testid="my-downstream">1<' in mine and 'data-mine="1"' in mine
    assert browser().get("/s/relay/no-such-project/").status_code == 404


def test_the_relays_k_reads_as_a_sentence(project, sharer):
    root = share(project, member(sharer))
    for amount in (1000, 2000, 3000):
        give_via(project, root.code, amount)
    html = browser().get(f"/s/relay/{project.slug}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="relay-k"' in html and "平均每位分享者带来 3.0 位新捐赠人" in html and ">K<" not in html


def test_member_influence_page(project, sharer):
    root = share(project, member(sharer))
    give_via(project, root.code, 1000)
    visitor = browser()
    assert visitor.get("/s/me/").status_code == 302
    visitor.force_login(sharer)
    html = visitor.get("/s/me/").content.decode()
    assert 'data-testid="inspired">1<' in html and project.title in html
    assert 'href="/s/me/"' in visitor.get("/accounts/me/").content.decode()


def test_dashboard_for_the_organisation_only(project, sharer):
    share(project, member(sharer))
    editor = make_member(project.organisation, "editor")
    visitor = browser()
    visitor.force_login(editor)
    response = visitor.get(f"/s/dashboard/{project.slug}/")
    assert response.status_code == 200 and 'data-testid="relay-depths"' in response.content.decode()
    assert f'href="/s/dashboard/{project.slug}/"' in visitor.get(f"/projects/{project.slug}/").content.decode()
    outsider = browser()
    outsider.force_login(make_user())
    assert outsider.get(f"/s/dashboard/{project.slug}/").status_code == 403
    assert browser().get(f"/s/dashboard/{project.slug}/").status_code == 403
    assert f"/s/dashboard/{project.slug}/" not in browser().get(f"/projects/{project.slug}/").content.decode()


def test_reporting_from_the_relay_page(project, sharer):
    link = share(project, guest("g"))
    assert browser().post(f"/s/{link.code}/report/", {"reason": "spam"}).status_code == 302  # to log in
    assert Report.objects.filter(kind="share_link").count() == 0
    visitor = browser()
    visitor.force_login(sharer)
    assert visitor.post(f"/s/{link.code}/report/", {"reason": "spam"}).status_code == 302
    assert visitor.post(f"/s/{link.code}/report/", {"reason": "spam"}).status_code == 409
    assert visitor.post("/s/23456789/report/", {"reason": "spam"}).status_code == 404
    assert Report.objects.filter(kind="share_link").count() == 1
