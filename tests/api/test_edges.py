"""Input that used to reach a server error now gets a clear refusal, on SQLite and
PostgreSQL alike: huge offsets, bodies over the upload limit, NUL characters anywhere."""

import json
import uuid

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2^63


@pytest.mark.parametrize("url", [
    "/api/v1/projects?offset=" + HUGE,
    "/api/v1/projects?limit=" + HUGE,
    "/api/v1/projects/warm-packs/ledger?offset=" + HUGE,
    "/api/v1/projects/warm-packs/batches?offset=" + HUGE,
    "/api/v1/campaigns?offset=" + HUGE,
    "/api/v1/projects?offset=-1",
    "/api/v1/projects?limit=0",
])
def test_an_offset_or_limit_out_of_range_is_422(client, project, url):
    project.slug = "warm-packs"
    project.save(update_fields=["slug"])
    response = client.get(url)
    assert response.status_code == 422, (url, response.status_code, response.content[:200])
    assert response.json()["code"] == "invalid"


def test_a_body_over_the_upload_limit_is_413_with_the_error_body(client, project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"amount": 5000, "currency": "CNY", "message": "x" * 2000})
    response = client.post(f"/api/v1/projects/{project.slug}/donations", body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("method,url,body,status", [
    ("get", "/api/v1/projects/a%00b", None, 404),
    ("get", "/api/v1/projects?q=a%00b", None, 422),
    ("post", "/api/v1/auth/token", {"email": "a\u0000b@x.org", "password": "x"}, 422),
    ("get", "/projects/a%00b/", None, 404),
    ("get", "/projects/?q=a%00b", None, 400),
])
def test_a_nul_character_is_refused_at_the_edge(client, method, url, body, status):
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == status
    if url.startswith("/api/"):
        assert response.json()["code"] in {"not_found", "invalid"}
