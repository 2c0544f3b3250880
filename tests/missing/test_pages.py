import gzip
import time

import pytest
from django.core import signing
from django.utils import timezone

from jusha.core.models import AuditLog
from jusha.missing import services
from jusha.missing.models import Case, Sighting, Site
from tests.factories import make_member, make_org, make_user
from tests.missing.conftest import case_values, make_case, make_partner

pytestmark = pytest.mark.django_db


def test_list_filters_by_region(client):
    partner = make_partner()
    make_case(partner, name="川娃", region_code="510923")
    make_case(partner, name="京娃", region_code="110105")
    page = client.get("/missing/", {"region": "510000"}).content.decode()
    assert "川娃" in page and "京娃" not in page
    page = client.get("/missing/").content.decode()
    assert "川娃" in page and "京娃" in page


def test_case_page_and_poster_show_public_fields_only(client):
    case = make_case(photo=True)
    for url in (f"/missing/{case.pk}/", f"/missing/{case.pk}/poster/"):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "小明" in text and "左手有痣" in text
        for private in ("13800000000", "reporter@example.com", "内部备注", "王社工"):
            assert private not in text
    assert "<svg" in client.get(f"/missing/{case.pk}/poster/").content.decode()  # the QR code


def test_a_case_without_public_standing_is_unknown(client):
    case = make_case(expires_on=timezone.localdate() - timezone.timedelta(days=1))
    assert client.get(f"/missing/{case.pk}/").status_code == 404
    assert client.get("/missing/abc/").status_code == 404


def test_manage_page_is_private_and_every_view_is_audited(client):
    case = make_case()
    editor = make_member(case.organisation, "editor")
    client.force_login(editor)
    text = client.get(f"/missing/{case.pk}/manage/").content.decode()
    assert "13800000000" in text
    assert AuditLog.objects.filter(action="missing.private_viewed", target_id=str(case.pk), actor=editor).count() == 1
    # another partner's member is refused, and nothing is logged as viewed
    other = make_member(make_partner(), "owner")
    client.force_login(other)
    assert client.get(f"/missing/{case.pk}/manage/").status_code == 403
    assert client.post(f"/missing/{case.pk}/close/", {"status": "found"}).status_code == 403
    assert client.post(f"/missing/{case.pk}/manage/", case_values(name="改")).status_code == 403
    case.refresh_from_db()
    assert case.status == "active" and case.name == "小明"
    assert not AuditLog.objects.filter(action="missing.private_viewed", actor=other).exists()


def test_partner_creates_and_closes_a_case_through_pages(client):
    partner = make_partner()
    owner = make_member(partner, "owner")
    client.force_login(owner)
    values = case_values()
    values["lost_at"] = values["lost_at"].strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/missing/org/{partner.slug}/new/", values)
    assert response.status_code == 302
    case = Case.objects.get()
    response = client.post(f"/missing/{case.pk}/close/", {"status": "found"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "found"


def test_a_case_without_consent_is_refused_on_the_page(client):
    partner = make_partner()
    client.force_login(make_member(partner, "owner"))
    values = case_values(consent_by="")
    values["lost_at"] = values["lost_at"].strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/missing/org/{partner.slug}/new/", values)
    assert response.status_code == 422
    assert "consent" in response.content.decode()
    assert not Case.objects.exists()


def test_an_organisation_without_the_permission_cannot_publish(client):
    org = make_org()
    client.force_login(make_member(org, "owner"))
    assert client.get(f"/missing/org/{org.slug}/").status_code == 403
    assert client.post(f"/missing/org/{org.slug}/new/", case_values()).status_code == 403
    assert not Case.objects.exists()


def test_sighting_form_with_honeypot_and_timer(client):
    case = make_case()
    assert client.get(f"/missing/{case.pk}/sighting/").status_code == 200
    started = signing.dumps(time.time() - 30, salt="missing.sighting")
    data = {"place": "公园", "seen_at": "2026-01-01T10:00", "description": "看见了", "started": started}
    assert client.post(f"/missing/{case.pk}/sighting/", {**data, "website": "x"}).status_code == 422
    fast = signing.dumps(time.time(), salt="missing.sighting")
    assert client.post(f"/missing/{case.pk}/sighting/", {**data, "started": fast}).status_code == 422
    assert client.post(f"/missing/{case.pk}/sighting/", {**data, "started": "forged"}).status_code == 422
    assert not Sighting.objects.exists()
    assert client.post(f"/missing/{case.pk}/sighting/", data).status_code == 302
    assert Sighting.objects.count() == 1


def test_member_registers_a_site_and_gets_the_tag(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/missing/sites/", {"domain": "https://Example.org/x", "region_code": "", "language": "en"})
    assert response.status_code == 302
    site = Site.objects.get()
    assert site.domain == "example.org" and site.owner == user
    page = client.get(f"/missing/sites/{site.pk}/").content.decode()
    assert f'data-site="{site.key}"' in page and "/missing/404.js" in page and "&lt;noscript&gt;" in page
    assert client.post("/missing/sites/", {"domain": "not a domain", "language": "en"}).status_code == 422
    assert Site.objects.count() == 1
    client.force_login(make_user())
    assert client.get(f"/missing/sites/{site.pk}/").status_code == 404


def test_the_script_is_small_and_cross_origin(client):
    response = client.get("/missing/404.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert len(gzip.compress(response.content, 9)) <= 8 * 1024


def test_the_iframe_fallback_may_be_framed(client, site):
    make_case()
    response = client.get("/missing/frame/", {"site": site.key})
    assert response.status_code == 200 and "小明" in response.content.decode()
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_jusha_404_page_carries_the_widget(client, settings):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "/missing/404.js" in text and f'data-site="{settings.JUSHA_MISSING_OWN_SITE_KEY}"' in text


def test_staff_grant_and_revoke_the_partner_permission(client):
    from jusha.missing.permissions import partner_active

    org = make_org()
    owner = make_member(org, "owner")
    client.force_login(owner)
    assert client.get("/missing/partners/").status_code == 403
    assert client.post("/missing/partners/", {"organisation": org.slug, "action": "grant"}).status_code == 403
    assert not partner_active(org)
    client.force_login(make_user(is_staff=True))
    assert client.get("/missing/partners/").status_code == 200
    assert client.post("/missing/partners/", {"organisation": org.slug, "action": "grant"}).status_code == 302
    assert partner_active(org)
    assert AuditLog.objects.filter(action="missing.partner_granted", target_id=str(org.pk)).exists()
    client.post("/missing/partners/", {"organisation": org.slug, "action": "revoke"})
    assert not partner_active(org)
    unverified = make_org(verified=False)
    assert client.post("/missing/partners/", {"organisation": unverified.slug}).status_code == 404
    assert not partner_active(unverified)
