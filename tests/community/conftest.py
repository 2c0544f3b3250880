import json
import uuid

import pytest

from jusha.accounts.services import api_token_create
from jusha.community import circle_services, services
from tests.factories import make_user


def bearer(user) -> dict:
    _token, secret = api_token_create(name="t", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, path, body=None, **headers):
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


def donate(client, slug, body, **headers):
    return client.post(f"/api/v1/projects/{slug}/donations", json.dumps(body), content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **headers)


def pay(client, donation_id):
    response = post(client, f"/api/v1/sandbox/payments/{donation_id}/complete", {"result": "succeeded"})
    assert response.status_code == 200, response.content


@pytest.fixture
def captain():
    return make_user("captain@example.org", display_name="队长")


@pytest.fixture
def team(project, captain):
    return services.team_create(project=project, name="阳光小队", goal=200_000, story="一起送温暖", actor=captain)


@pytest.fixture
def staff_user():
    return make_user("community-staff@example.org", is_staff=True)


@pytest.fixture
def circle(staff_user):
    return circle_services.circle_create(kind="cause", cause="elders", actor=staff_user, description="关爱老人")
