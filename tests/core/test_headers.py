"""Browser-side headers: Content-Security-Policy (no inline script without the nonce),
Referrer-Policy, Permissions-Policy on every page; HSTS with DEBUG off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from jusha.core.csp import CSP, build_policy
from tests.factories import give, make_campaign, make_user
from tests.page_checks import html_problems, page_problems, policy_nonce
from tests.social.conftest import member, share

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pages(project, sharer):
    campaign = make_campaign(projects=[project])
    share(project, member(sharer))
    gift = give(project, 5000, email="guest@example.org", message="for the elders")
    return {
        "home": "/",
        "project": f"/projects/{project.slug}/",
        "donate": f"/donations/new/{project.slug}/",
        "receipt": f"/donations/{gift.pk}/",
        "print-ready receipt": f"/donations/{gift.pk}/?print=1",
        "log": "/log/",
        "campaign": f"/campaigns/{campaign.slug}/",
        "relay": f"/s/relay/{project.slug}/",
        "share": f"/s/share/{project.slug}/",
        "ledger": f"/ledger/{project.slug}/",
        "login": "/accounts/login/",
        "admin login": "/admin/login/",
        "api docs": "/api/docs",
    }


@pytest.fixture
def sharer():
    return make_user("sharer@example.org", display_name="Sharer")


def test_every_page_has_the_headers_and_no_inline_script_without_the_nonce(pages):
    for name, path in pages.items():
        response = Client().get(path)
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        assert page_problems(response) == [], name
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert response["Referrer-Policy"] in {"same-origin", "strict-origin", "no-referrer"}
        features = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in features, (name, feature)
        assert "Strict-Transport-Security" not in response  # plain HTTP, and DEBUG's settings


def test_scripts_on_the_pages_carry_the_nonce_of_their_response(project):
    first, second = Client().get("/"), Client().get("/")
    nonce = policy_nonce(first["Content-Security-Policy"])
    assert nonce and nonce != policy_nonce(second["Content-Security-Policy"])  # one per response
    html = first.content.decode()
    assert f'nonce="{nonce}"' in html  # htmx's script tag (django-htmx reads csp_nonce)
    assert 'name="htmx-config"' in html and '"allowEval": false' in html


def test_the_check_fails_on_what_the_policy_would_block():
    policy = build_policy({"script-src": [CSP.SELF, CSP.NONCE]}, "n0nce")
    assert html_problems('<script src="/static/a.js"></script><script nonce="n0nce">go()</script>', policy) == []
    assert html_problems('<script type="application/json" id="d">{"a": 1}</script>', policy) == []
    for bad in (
        "<script>alert(1)</script>",
        '<script nonce="other">alert(1)</script>',
        '<button onclick="window.print()">Print</button>',
        '<span style="width: 40%"></span>',
        "<style>p { color: red }</style>",
        '<a href="javascript:alert(1)">x</a>',
    ):
        assert html_problems(bad, policy), bad


def test_a_page_without_a_policy_is_caught():
    from django.http import HttpResponse

    bare = HttpResponse("<p>hi</p>")
    assert "no Content-Security-Policy header" in page_problems(bare)


def test_nonce_appears_in_the_header_only_when_a_template_used_it():
    assert build_policy({"script-src": [CSP.SELF, CSP.NONCE]}, None) == "script-src 'self'"
    assert build_policy({"script-src": [CSP.NONCE]}, None) == "script-src 'none'"
    assert build_policy({"upgrade-insecure-requests": True, "report-uri": None}) == "upgrade-insecure-requests"


def test_json_and_redirects_carry_the_policy_too(project):
    api = Client().get("/api/v1/projects")
    assert api.status_code == 200 and "default-src 'self'" in api["Content-Security-Policy"]
    assert Client().get("/donations/mine/")["Content-Security-Policy"]  # the redirect to log in


def test_the_api_docs_page_has_its_own_policy_and_the_site_keeps_its_own():
    docs = Client().get("/api/docs")["Content-Security-Policy"]
    assert "img-src 'self' data:" in docs  # Swagger UI's icons
    assert "'unsafe-inline'" not in docs and "script-src 'self'" in docs
    assert "data:" not in Client().get("/")["Content-Security-Policy"]


def test_uploaded_files_keep_their_own_strict_policy(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "voucher.pdf").write_bytes(b"%PDF-1.4\n")
    response = Client().get("/media/voucher.pdf")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_page_with_a_token_in_its_address_tells_no_one_its_address(project):
    gift = give(project, 5000)
    plain = Client().get(f"/donations/{gift.pk}/")
    assert plain["Referrer-Policy"] == "same-origin"
    for query in (f"access_token={gift.access_token}", "ticket=anything"):
        response = Client().get(f"/donations/{gift.pk}/?{query}")
        assert response["Referrer-Policy"] == "strict-origin", query


def test_permissions_policy_of_the_settings():
    assert django_settings.JUSHA_PERMISSIONS_POLICY["camera"] == []
    response = Client().get("/healthz")
    assert "camera=()" in response["Permissions-Policy"]


# --- HSTS ---------------------------------------------------------------------------------


def settings_in_a_fresh_process(**env) -> dict:
    """config.settings as a deployment with this environment reads them."""
    code = (
        "import json, config.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "('DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'EMAIL_BACKEND')}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_SETTINGS", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**base, "JUSHA_VAR_DIR": str(Path(django_settings.VAR_DIR)), "JUSHA_DEMO": "0", **env},
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "jusha.example.org"}


def test_hsts_for_a_year_with_debug_off_and_never_with_debug_on():
    production = settings_in_a_fresh_process(**PRODUCTION)
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and production["SECURE_HSTS_PRELOAD"] is False
    asked = settings_in_a_fresh_process(**PRODUCTION, SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="1")
    assert asked["SECURE_HSTS_SECONDS"] == 600 and asked["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    development = settings_in_a_fresh_process(DEBUG="1")
    assert development["SECURE_HSTS_SECONDS"] == 0
    assert development["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"  # never the console


def test_hsts_header_with_the_production_settings(settings, project):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    settings.SECURE_HSTS_SECONDS = 0  # what DEBUG on gives
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)


@pytest.mark.django_db
def test_favicon_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(response.content)).size[0] >= 16
    assert 'rel="icon" href="/favicon.ico"' in client.get("/").content.decode()
