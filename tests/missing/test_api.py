import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jusha.missing import services
from jusha.missing.models import Case, Sighting
from tests.factories import make_member, make_user, png_bytes
from tests.missing.conftest import make_case, make_partner

pytestmark = pytest.mark.django_db

NOTICE = "/api/v1/missing/notice"


def _headers_ok(response, settings):
    assert response["Cache-Control"] == f"public, max-age={settings.JUSHA_MISSING_NOTICE_MAX_AGE}"
    assert "stale-while-revalidate" not in response["Cache-Control"]
    assert response["Vary"] == "Accept-Language"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies
    assert "Set-Cookie" not in response


def test_notice_shows_the_case_with_the_exact_headers(client, site, settings):
    case = make_case(photo=True)
    response = client.get(NOTICE, {"site": site.key})
    assert response.status_code == 200
    _headers_ok(response, settings)
    (shown,) = response.json()["cases"]
    assert set(shown) == {"id", "name", "age", "sex", "lost_at", "region", "photo", "url"}
    assert shown["id"] == case.pk and shown["name"] == "小明" and shown["sex"] == "m"
    assert shown["url"].endswith(f"/missing/{case.pk}/")
    assert "family_contact" not in response.content.decode() and "13800000000" not in response.content.decode()
    photo = client.get(shown["photo"].replace("http://testserver", ""))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("key", ["", "nope", "x" * 200])
def test_unknown_key_is_an_empty_list_with_the_same_headers(client, key, settings):
    make_case()
    response = client.get(NOTICE, {"site": key})
    assert response.status_code == 200 and response.json()["cases"] == []
    _headers_ok(response, settings)


def test_revoked_key_is_an_empty_list(client, site, settings):
    make_case()
    services.site_revoke(site=site, actor=site.owner)
    response = client.get(NOTICE, {"site": site.key})
    assert response.json()["cases"] == []
    _headers_ok(response, settings)


def test_the_max_age_is_a_setting(client, site, settings):
    settings.JUSHA_MISSING_NOTICE_MAX_AGE = 2
    assert client.get(NOTICE, {"site": site.key})["Cache-Control"] == "public, max-age=2"


def test_found_leaves_the_notice_and_its_photo_and_poster_answer_410(client, site):
    partner = make_partner()
    case = make_case(partner, photo=True)
    photo_url = client.get(NOTICE, {"site": site.key}).json()["cases"][0]["photo"].replace("http://testserver", "")
    services.case_close(case=case, status="found", roles={"owner"}, actor=make_member(partner, "owner"))
    assert client.get(NOTICE, {"site": site.key}).json()["cases"] == []
    assert client.get(photo_url).status_code == 410
    assert client.get(f"/missing/{case.pk}/poster/").status_code == 410
    page = client.get(f"/missing/{case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "has been found" in text and "小明" not in text and "左手有痣" not in text


def test_region_picks_the_nearest_case_first(client, site):
    partner = make_partner()
    far = make_case(partner, name="远", region_code="110105", lost_at=timezone.now() - datetime.timedelta(hours=1))
    near = make_case(partner, name="近", region_code="510923", lost_at=timezone.now() - datetime.timedelta(days=5))
    ids = [c["id"] for c in client.get(NOTICE, {"site": site.key, "region": "510923"}).json()["cases"]]
    assert ids[0] == near.pk and far.pk in ids
    ids = [c["id"] for c in client.get(NOTICE, {"site": site.key, "region": "110000"}).json()["cases"]]
    assert ids[0] == far.pk
    # the site's default region (510000) when none is passed, or a bad one
    assert client.get(NOTICE, {"site": site.key, "region": "bogus"}).json()["cases"][0]["id"] == near.pk


def test_own_404_key_works_without_a_row(client, settings):
    case = make_case()
    response = client.get(NOTICE, {"site": settings.JUSHA_MISSING_OWN_SITE_KEY})
    assert [c["id"] for c in response.json()["cases"]] == [case.pk]


def _sighting(**over):
    data = {"place": "人民公园", "seen_at": timezone.now().isoformat(), "description": "穿红衣服", "contact": "138",
            "elapsed_ms": 20000}
    data.update(over)
    return data


def test_sighting_goes_to_the_organisation_only(client):
    case = make_case()
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", _sighting())
    assert response.status_code == 201, response.content
    sighting = Sighting.objects.get()
    assert sighting.case == case and sighting.status == "new"
    assert "穿红衣服" not in client.get(f"/missing/{case.pk}/").content.decode()


@pytest.mark.parametrize("over,status,code", [
    ({"website": "http://spam"}, 422, "spam_suspected"),
    ({"elapsed_ms": 500}, 422, "too_fast"),
    ({"place": ""}, 422, "sighting_incomplete"),
    ({"description": "x" * 2001}, 422, "sighting_too_long"),
    ({"seen_at": "not a date"}, 422, "invalid"),
    ({"site": "nope"}, 422, "site_unknown"),
])
def test_bad_sightings_change_nothing(client, over, status, code):
    case = make_case()
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", _sighting(**over))
    assert response.status_code == status and response.json()["code"] == code
    assert not Sighting.objects.exists()


def test_script_in_a_sighting_is_kept_as_text_and_never_public(client):
    case = make_case()
    client.post(f"/api/v1/missing/cases/{case.pk}/sightings", _sighting(description="<script>alert(1)</script>"))
    owner = make_member(case.organisation, "owner")
    client.force_login(owner)
    page = client.get(f"/missing/{case.pk}/manage/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_oversize_or_non_image_photo_is_refused(client, settings):
    case = make_case()
    settings.JUSHA_UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("a.png", png_bytes((400, 400)), content_type="image/png")
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", {**_sighting(), "photo": big})
    assert response.status_code == 413
    settings.JUSHA_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    fake = SimpleUploadedFile("a.png", b"<svg></svg>", content_type="image/png")
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", {**_sighting(), "photo": fake})
    assert response.status_code == 422
    assert not Sighting.objects.exists()


def test_a_flood_from_one_network_is_limited(client, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "missing_sighting": (2, 3600)}
    from django.core.cache import cache

    cache.clear()
    case = make_case()
    statuses = [client.post(f"/api/v1/missing/cases/{case.pk}/sightings", _sighting()).status_code for _ in range(4)]
    assert statuses == [201, 201, 429, 429]
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", _sighting())
    assert int(response["Retry-After"]) > 0
    assert Sighting.objects.count() == 2


def test_sighting_for_a_found_case_is_refused(client):
    case = make_case()
    services.case_close(case=case, status="found", roles={"staff"}, actor=make_user(is_staff=True))
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", _sighting())
    assert response.status_code == 409
    assert client.post("/api/v1/missing/cases/999999/sightings", _sighting()).status_code == 404
    assert not Sighting.objects.exists()


@pytest.mark.parametrize("store", ["file", "cache"])
def test_kept_notices_last_only_until_something_changes(client, site, settings, store):
    settings.JUSHA_MISSING_GENERATION_STORE = store
    from jusha.missing.notice import notice_changed

    case = make_case()
    assert client.get(NOTICE, {"site": site.key}).json()["cases"][0]["name"] == "小明"
    Case.objects.filter(pk=case.pk).update(name="改名")  # behind the services' back: the kept answer stands
    assert client.get(NOTICE, {"site": site.key}).json()["cases"][0]["name"] == "小明"
    notice_changed()
    assert client.get(NOTICE, {"site": site.key}).json()["cases"][0]["name"] == "改名"
    services.case_close(case=case, status="withdrawn", roles={"staff"}, actor=make_user(is_staff=True))
    assert client.get(NOTICE, {"site": site.key}).json()["cases"] == []


def test_the_notice_answers_only_reads(client):
    response = client.post(NOTICE, {"site": "x"})
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert client.head(NOTICE, {"site": "x"}).status_code == 200


def test_the_notice_is_documented_in_the_openapi_schema(client):
    assert "/api/v1/missing/notice" in client.get("/api/openapi.json").json()["paths"]


def test_a_sightings_photo_is_never_public_and_its_partner_sees_it_audited(client, settings):
    """The photo is stored outside the public media folder; only the case's organisation
    (and staff) can fetch it, and each view is audit-logged."""
    from pathlib import Path

    from jusha.core.models import AuditLog
    from tests.factories import make_member, make_user
    from tests.missing.conftest import photo_upload

    case = make_case()
    response = client.post(f"/api/v1/missing/cases/{case.pk}/sightings", {**_sighting(), "photo": photo_upload()})
    assert response.status_code == 201, response.content
    sighting = Sighting.objects.get()
    assert sighting.photo and not Path(sighting.photo.path).is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert client.get(f"/media/{sighting.photo.name}").status_code == 404
    client.force_login(make_user())
    assert client.get(f"/missing/sightings/{sighting.pk}/photo/").status_code in (403, 404)
    client.force_login(make_member(case.organisation, "editor"))
    before = AuditLog.objects.count()
    photo = client.get(f"/missing/sightings/{sighting.pk}/photo/")
    assert photo.status_code == 200 and photo["Cache-Control"] == "private, no-store"
    assert AuditLog.objects.count() == before + 1
