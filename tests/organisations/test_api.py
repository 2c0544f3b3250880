import pytest
from django.test import Client

from jusha.organisations.models import Organisation
from tests.factories import make_member, make_org, make_user

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Sunflower Elders",
    "legal_name": "Fujian Sunflower Elders Care Foundation",
    "uscc": "91350100M000100Y43",
    "contact_email": "hello@sunflower.example",
    "region_code": "350100",
}


def api_client(user=None) -> Client:
    client = Client()
    if user:
        client.force_login(user)
    return client


def post(client, url, body=None, **headers):
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_create_and_submit_through_the_api():
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert post(client, "/api/v1/orgs", BODY).status_code == 403  # a browser session must send the CSRF header
    client.get("/accounts/me/")
    csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    response = post(client, "/api/v1/orgs", BODY, **csrf)
    assert response.status_code == 201
    body = response.json()
    assert body["verification"] == "unverified" and body["uscc"] == BODY["uscc"]
    response = post(client, f"/api/v1/orgs/{body['slug']}/submit", **csrf)
    assert response.status_code == 200 and response.json()["verification"] == "submitted"


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"uscc": "91350100M000100Y44"}, 422, "uscc_invalid"),
        ({"uscc": "91350100I000100Y43"}, 422, "uscc_invalid"),
        ({"contact_email": "nope"}, 422, "invalid"),
        ({"name": ""}, 422, "invalid"),
        ({"region_code": "3501"}, 422, "region_invalid"),
    ],
)
def test_invalid_bodies_are_422_and_create_nothing(change, status, code):
    response = post(api_client(make_user()), "/api/v1/orgs", {**BODY, **change})
    assert response.status_code == status and response.json()["code"] == code
    assert not Organisation.objects.exists()


def test_a_taken_code_is_409():
    taken = make_org().uscc
    response = post(api_client(make_user()), "/api/v1/orgs", {**BODY, "uscc": taken.lower()})
    assert response.status_code == 409 and response.json()["code"] == "uscc_taken"


def test_create_needs_credentials():
    response = post(Client(), "/api/v1/orgs", BODY)
    assert response.status_code == 401
    assert not Organisation.objects.exists()


def test_public_details_and_who_may_submit():
    org = make_org(verified=False)
    editor = make_member(org, "editor")
    assert Client().get(f"/api/v1/orgs/{org.slug}").status_code == 404
    assert api_client(editor).get(f"/api/v1/orgs/{org.slug}").json()["verification"] == "unverified"
    response = post(api_client(editor), f"/api/v1/orgs/{org.slug}/submit")
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.verification == "unverified"
    verified = make_org()
    assert Client().get(f"/api/v1/orgs/{verified.slug}").json()["name"] == verified.name
    assert Client().get("/api/v1/orgs/nothing-here").status_code == 404


def test_a_refused_transition_is_409():
    org = make_org()
    owner = make_member(org, "owner")
    response = post(api_client(owner), f"/api/v1/orgs/{org.slug}/submit")
    assert response.status_code == 409 and response.json()["code"] == "transition_refused"
    assert org.verification_changes.count() == 0
