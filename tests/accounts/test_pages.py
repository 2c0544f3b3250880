import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from jusha.accounts.models import ApiToken, User
from tests.factories import PASSWORD, make_member, make_org, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-and-long-passphrase"


def signup(client, email="new@example.org", password=NEW_PASSWORD, password2=None, **extra):
    data = {"email": email, "display_name": "", "password1": password, "password2": password2 or password, **extra}
    return client.post(reverse("accounts:signup"), data)


def test_sign_up_creates_the_account_and_logs_in(client):
    response = signup(client, email="New.Person@Example.org", display_name="小明")
    assert response.status_code == 302 and response.url == reverse("accounts:me")
    user = User.objects.get()
    assert user.email == "new.person@example.org" and user.display_name == "小明"
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:me")).context["user"] == user


def test_sign_up_keeps_a_safe_next_and_drops_another_site(client):
    assert signup(client, next="/orgs/new/").url == "/orgs/new/"
    client.logout()
    assert signup(client, email="b@example.org", next="https://evil.example/").url == reverse("accounts:me")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"email": "taken@example.org"}, "email"),
        ({"email": "TAKEN@example.org"}, "email"),
        ({"password": "12345678"}, "password1"),
        ({"password": "new@example.org"}, "password1"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_sign_up_refuses_bad_input_and_creates_nothing(client, kwargs, field):
    make_user("taken@example.org")
    response = signup(client, **kwargs)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_demo_addresses_cannot_sign_up_outside_a_demo(client):
    response = signup(client, email="someone@demo.jusha")
    assert response.context["form"].errors["email"]
    assert not User.objects.exists()


def test_log_in_with_email_and_log_out_with_post(client):
    user = make_user("member@example.org")
    response = client.post(reverse("accounts:login"), {"username": "Member@Example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:me")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("accounts:logout")).status_code == 405  # a link cannot log anyone out
    assert "_auth_user_id" in client.session
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_log_in_with_a_wrong_password_fails(client):
    make_user("member@example.org")
    response = client.post(reverse("accounts:login"), {"username": "member@example.org", "password": "wrong"})
    assert response.status_code == 200 and response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_log_in_is_rate_limited(client, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_LOGIN_LIMITS = {**settings.JUSHA_LOGIN_LIMITS, "account": (2, 60)}
    make_user("member@example.org")
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": "member@example.org", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "member@example.org", "password": PASSWORD})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session


def test_sign_up_is_rate_limited(client, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "signup": (1, 60)}
    signup(client, email="first@example.org")
    client.logout()
    response = signup(client, email="second@example.org")
    assert response.status_code == 429 and response.has_header("Retry-After")
    assert list(User.objects.values_list("email", flat=True)) == ["first@example.org"]


def test_demo_accounts_log_in_only_in_a_demo_set_up(client, settings):
    make_user("donor@demo.jusha")
    credentials = {"username": "donor@demo.jusha", "password": PASSWORD}
    settings.JUSHA_DEMO, settings.DEBUG = False, True
    client.post(reverse("accounts:login"), credentials)
    assert "_auth_user_id" not in client.session
    settings.JUSHA_DEMO, settings.DEBUG = True, False
    client.post(reverse("accounts:login"), credentials)
    assert "_auth_user_id" not in client.session
    settings.JUSHA_DEMO, settings.DEBUG = True, True
    assert client.post(reverse("accounts:login"), credentials).status_code == 302
    assert "_auth_user_id" in client.session
    # A demo session already open stops working once the demo is off.
    settings.JUSHA_DEMO = False
    assert client.get(reverse("accounts:me")).status_code == 302


def test_password_reset_by_email(client):
    user = make_user("forgetful@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "forgetful@example.org"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["forgetful@example.org"]
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    assert client.get(form_url).context["validlink"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.post(reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD}).status_code == 302
    # The link works once.
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_forms_without_a_csrf_token_are_refused():
    client = Client(enforce_csrf_checks=True)
    data = {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(reverse("accounts:signup"), data).status_code == 403
    assert not get_user_model().objects.exists()
    user = make_user()
    client.force_login(user)
    assert client.post(reverse("accounts:token_create"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_account_page_shows_organisations(client):
    org = make_org(name="Sunflower Elders")
    user = make_member(org, "finance")
    client.force_login(user)
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 200
    assert "Sunflower Elders" in response.content.decode()


def test_account_page_needs_log_in(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_api_token_is_shown_once_and_stored_as_a_digest(client):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("accounts:token_create"), {"name": "reporting script"})
    secret = response.context["new_secret"]
    assert secret in response.content.decode() and response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.user == user and token.name == "reporting script"
    assert token.digest == ApiToken.digest_of(secret) and secret not in (token.digest, token.prefix)
    assert secret.startswith(token.prefix)
    page = client.get(reverse("accounts:me")).content.decode()
    assert token.prefix in page and secret not in page


def test_revoking_a_token(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("accounts:token_create"), {"name": "old"})
    token = ApiToken.objects.get()
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.prefix not in client.get(reverse("accounts:me")).content.decode()


def test_nobody_revokes_another_members_token(client):
    owner, other = make_user(), make_user()
    client.force_login(owner)
    client.post(reverse("accounts:token_create"), {"name": "mine"})
    token = ApiToken.objects.get()
    client.force_login(other)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
