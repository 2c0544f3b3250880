"""Platform-wide promises: production settings refuse weak set-ups, health, API docs, media."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def boot(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "JUSHA_DEMO")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('booted')"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "env,needle",
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "jusha.example.org", "JUSHA_DEMO": "1"}, "JUSHA_DEMO=1"),
    ],
)
def test_production_refuses_to_start_without_real_settings(env, needle):
    result = boot(env)
    assert result.returncode != 0
    assert needle in result.stderr


def test_production_starts_with_real_settings():
    result = boot({"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "jusha.example.org"})
    assert result.returncode == 0, result.stderr
    assert "booted" in result.stdout


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_openapi_lists_the_public_contract(client):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/projects",
        "/api/v1/projects/{slug}",
        "/api/v1/projects/{slug}/donations",
        "/api/v1/sandbox/payments/{donation_id}/complete",
        "/api/v1/donations/{donation_id}",
        "/api/v1/projects/{slug}/ledger",
        "/api/v1/payments/{provider}/notify",
    ):
        assert path in paths, path
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_media_outside_the_upload_folder_is_not_served(client):
    assert client.get("/media/../config/settings.py").status_code == 404
    assert client.get("/media/%2e%2e/manage.py").status_code == 404
