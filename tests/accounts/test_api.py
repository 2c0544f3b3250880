import pytest
from django.test import Client

from jusha.accounts.models import ApiToken
from jusha.organisations.models import Membership
from tests.factories import PASSWORD, make_member, make_org, make_user

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token"


def get_token(client, email, password=PASSWORD):
    return client.post(TOKEN_URL, {"email": email, "password": password}, content_type="application/json")


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_works_as_bearer_on_me(client):
    org = make_org(name="Sunflower Elders")
    user = make_member(org, "editor", display_name="阿华")
    response = get_token(client, user.email.upper())
    assert response.status_code == 200
    token = response.json()["token"]
    saved = ApiToken.objects.get()
    assert saved.name == "api" and saved.digest == ApiToken.digest_of(token)
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    assert response.json() == {
        "email": user.email,
        "display_name": "阿华",
        "organisations": [{"slug": org.slug, "name": "Sunflower Elders", "role": Membership.Role.EDITOR}],
    }


@pytest.mark.parametrize("email, password", [("member@example.org", "wrong"), ("nobody@example.org", PASSWORD)])
def test_bad_credentials_are_401_and_create_nothing(client, email, password):
    make_user("member@example.org")
    response = get_token(client, email, password)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials" and response.json()["detail"]
    assert ApiToken.objects.count() == 0


def test_inactive_and_demo_accounts_get_no_token(client, settings):
    make_user("gone@example.org", is_active=False)
    make_user("donor@demo.jusha")
    settings.JUSHA_DEMO = False
    assert get_token(client, "gone@example.org").status_code == 401
    assert get_token(client, "donor@demo.jusha").status_code == 401
    assert ApiToken.objects.count() == 0


def test_malformed_and_incomplete_requests(client):
    assert client.post(TOKEN_URL, "{not json", content_type="application/json").status_code == 400
    response = client.post(TOKEN_URL, {"email": "a@example.org"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_token_endpoint_is_rate_limited(client, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_LOGIN_LIMITS = {**settings.JUSHA_LOGIN_LIMITS, "account": (1, 60)}
    user = make_user()
    assert get_token(client, user.email, "wrong").status_code == 401
    response = get_token(client, user.email)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "login_locked"
    assert ApiToken.objects.count() == 0


def test_me_needs_credentials(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert client.get("/api/v1/me", **bearer("jsk_not-a-real-token")).status_code == 401


def test_me_with_the_browser_session(client):
    user = make_user()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["email"] == user.email


def test_delete_revokes_the_token_used(client):
    user = make_user()
    first = get_token(client, user.email).json()["token"]
    second = get_token(client, user.email).json()["token"]
    assert client.delete(TOKEN_URL, **bearer(first)).status_code == 204
    assert client.get("/api/v1/me", **bearer(first)).status_code == 401
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_token_revoked_on_the_account_page_stops_working(client):
    user = make_user()
    token = get_token(client, user.email).json()["token"]
    browser = Client()
    browser.force_login(user)
    browser.post(f"/accounts/me/tokens/{ApiToken.objects.get().pk}/revoke/")
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
