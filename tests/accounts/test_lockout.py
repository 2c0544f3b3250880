"""The log-in limiter (jusha/accounts/lockout.py) on every door that checks a password: the
log-in page, POST /api/v1/auth/token, /admin/login/ and the password-change form. Failures
are counted per account and per network; past the limit the door answers 429 with
Retry-After, refuses the right password too, and changes nothing. Time is moved through
`lockout.clock`, never slept."""

import re
import threading

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from jusha.accounts import lockout
from jusha.accounts.models import ApiToken, User
from jusha.core.ratelimit import client_network
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ACCOUNT, NETWORK, WINDOW = 3, 5, 900
T0 = 1_800_000_000 // WINDOW * WINDOW + 100  # 100 s into a window
NEW_PASSWORD = "a-fresh-and-long-passphrase"


class Clock:
    def __init__(self):
        self.now = float(T0)

    def move(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(lockout, "clock", lambda: moved.now)
    return moved


@pytest.fixture(autouse=True)
def limits(settings, clock):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_LOGIN_LIMITS = {"account": (ACCOUNT, WINDOW), "network": (NETWORK, WINDOW)}


def page_login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def api_token(client, email, password):
    data = {"email": email, "password": password}
    return client.post("/api/v1/auth/token", data, content_type="application/json")


def admin_login(client, email, password):
    return client.post("/admin/login/", {"username": email, "password": password, "next": "/admin/"})


# door: (send, status of a wrong password, status of the right one)
DOORS = {"page": (page_login, 200, 302), "api": (api_token, 401, 200), "admin": (admin_login, 200, 302)}


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked(door, response, retry_after):
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    minutes = -(-retry_after // 60)
    if door == "api":
        body = response.json()
        assert body["code"] == "login_locked"
        assert f"try again in {minutes} minute" in body["detail"]
    else:
        page = response.content.decode()
        assert f"try again in {minutes} minute" in page
        assert 'type="password"' in page  # the form again


def assert_nothing_changed(client, user):
    user.refresh_from_db()
    assert user.last_login is None
    assert not logged_in(client)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("door", sorted(DOORS))
def test_each_door_locks_after_n_wrong_passwords_refuses_the_right_one_until_the_lock_ends(client, clock, door):
    send, wrong, right = DOORS[door]
    user = make_user("staff@example.org", is_staff=True)
    for _ in range(ACCOUNT):
        assert send(client, user.email, "wrong-password").status_code == wrong
    assert_locked(door, send(client, user.email, PASSWORD), WINDOW)
    assert_nothing_changed(client, user)
    clock.move(WINDOW - 61)
    assert_locked(door, send(client, "Staff@Example.org ", PASSWORD), 61)  # the same account, however written
    clock.move(60)
    assert_locked(door, send(client, user.email, PASSWORD), 1)
    assert_nothing_changed(client, user)
    clock.move(1)  # the lock is over
    assert send(client, user.email, PASSWORD).status_code == right
    assert logged_in(client) or ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("door", sorted(DOORS))
def test_the_network_counter_limits_other_accounts_from_the_same_network(client, door):
    send, wrong, right = DOORS[door]
    users = [make_user(is_staff=True) for _ in range(NETWORK + 1)]
    for user in users[:NETWORK]:  # one wrong password each: no account is near its own limit
        assert send(client, user.email, "wrong-password").status_code == wrong
    assert_locked(door, send(client, users[-1].email, PASSWORD), WINDOW)
    assert_nothing_changed(client, users[-1])
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert send(elsewhere, users[-1].email, PASSWORD).status_code == right


@pytest.mark.parametrize("door", sorted(DOORS))
def test_the_account_counter_follows_the_account_across_networks(door):
    send, wrong, _right = DOORS[door]
    user = make_user(is_staff=True)
    for n in range(ACCOUNT):
        assert send(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), user.email, "wrong-password").status_code == wrong
    client = Client(REMOTE_ADDR="203.0.113.200")
    assert_locked(door, send(client, user.email, PASSWORD), WINDOW)
    assert_nothing_changed(client, user)


def test_an_unknown_address_locks_the_same_way_so_a_lock_reveals_no_member():
    make_user("member@example.org")
    for n, email in enumerate(("member@example.org", "nobody@example.org")):
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        for _ in range(ACCOUNT):
            assert api_token(client, email, "wrong-password").status_code == 401
        response = api_token(client, email, PASSWORD)
        assert response.status_code == 429 and response.json()["code"] == "login_locked"


def test_right_passwords_are_not_counted_wrong_ones_are(client):
    user = make_user()
    for _ in range(ACCOUNT * 3):  # a script fetching tokens all day is never locked
        assert api_token(client, user.email, PASSWORD).status_code == 200
    for _ in range(ACCOUNT - 1):  # but a right password between wrong ones does not wipe them
        assert api_token(client, user.email, "wrong-password").status_code == 401
        assert api_token(client, user.email, PASSWORD).status_code == 200
    assert api_token(client, user.email, "wrong-password").status_code == 401
    assert api_token(client, user.email, PASSWORD).status_code == 429
    assert ApiToken.objects.count() == ACCOUNT * 3 + ACCOUNT - 1


def test_no_span_of_the_window_holds_more_than_the_limit(client, clock):
    user = make_user()
    clock.now = (T0 // WINDOW + 1) * WINDOW - 10  # 10 s before the next window starts
    for _ in range(ACCOUNT - 1):
        assert api_token(client, user.email, "wrong-password").status_code == 401
    clock.move(20)  # a new window: the failures of 20 s ago still count
    assert api_token(client, user.email, "wrong-password").status_code == 401
    assert api_token(client, user.email, PASSWORD).status_code == 429


def test_authenticate_itself_refuses_the_right_password_while_locked(client):
    """No back door: any caller of authenticate(), with or without a request, meets the lock."""
    user = make_user()
    for _ in range(ACCOUNT):
        assert authenticate(email=user.email, password="wrong-password") is None
    assert authenticate(email=user.email, password=PASSWORD) is None
    assert page_login(client, user.email, PASSWORD).status_code == 429


def test_a_password_reset_ends_the_accounts_lock(client):
    user = make_user("forgetful@example.org")
    for _ in range(ACCOUNT):
        page_login(client, user.email, "wrong-password")
    assert page_login(client, user.email, PASSWORD).status_code == 429
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert page_login(client, user.email, NEW_PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_password_reset_leaves_the_networks_lock(client):
    users = [make_user() for _ in range(NETWORK)]
    for user in users:
        page_login(client, user.email, "wrong-password")
    lockout.account_unlock(users[0].email)
    assert page_login(client, users[0].email, PASSWORD).status_code == 429


def test_the_password_change_form_is_a_door_too(client, clock):
    user = make_user()
    client.force_login(user)
    url = reverse("accounts:password_change")
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(ACCOUNT):
        response = client.post(url, {"old_password": "wrong-password", **data})
        assert response.status_code == 200 and response.context["form"].errors["old_password"]
    response = client.post(url, {"old_password": PASSWORD, **data})
    assert_locked("page", response, WINDOW)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    clock.move(WINDOW)
    response = client.post(url, {"old_password": PASSWORD, **data})
    assert response.status_code == 302 and response.url == reverse("accounts:me")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert logged_in(client)  # the session survives its own password change


def test_the_admins_password_change_form_is_a_door_too(client, clock):
    user = make_user(is_staff=True)
    client.force_login(user)
    assert client.get("/admin/password_change/").status_code == 200
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(ACCOUNT):
        response = client.post("/admin/password_change/", {"old_password": "wrong-password", **data})
        assert response.status_code == 200 and response.context["form"].errors["old_password"]
    response = client.post("/admin/password_change/", {"old_password": PASSWORD, **data})
    assert_locked("admin", response, WINDOW)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    clock.move(WINDOW)
    response = client.post("/admin/password_change/", {"old_password": PASSWORD, **data})
    assert response.status_code == 302 and response.url == "/admin/password_change/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_ipv6_network_is_its_64():
    def network(address):
        class Request:
            META = {"REMOTE_ADDR": address}

        return client_network(Request)

    assert network("2001:db8:1:2:aaaa::1") == network("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert network("2001:db8:1:3::1") != network("2001:db8:1:2::1")
    assert network("::ffff:198.51.100.7") == network("198.51.100.7") == "198.51.100.7"
    assert network("") == "unknown"


def test_addresses_of_one_ipv6_64_share_the_network_counter():
    users = [make_user() for _ in range(NETWORK + 1)]
    for n, user in enumerate(users[:NETWORK]):
        assert page_login(Client(REMOTE_ADDR=f"2001:db8:0:1::{n + 1:x}"), user.email, "wrong").status_code == 200
    assert page_login(Client(REMOTE_ADDR="2001:db8:0:1:ffff::1"), users[-1].email, PASSWORD).status_code == 429
    assert page_login(Client(REMOTE_ADDR="2001:db8:0:2::1"), users[-1].email, PASSWORD).status_code == 302


def test_parallel_attempts_never_check_more_passwords_than_the_limit(settings):
    """Each attempt claims its place before its password is checked: of twenty at once (each
    still being checked), only the limit's worth go on; the cache decides atomically."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lockout"}}
    cache.clear()
    barrier, passed, refused = threading.Barrier(20), [], []

    def attempt():
        barrier.wait()
        try:
            passed.append(lockout.begin(None, "target@example.org"))
        except lockout.Locked as exc:
            refused.append(exc.retry_after)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(passed) == ACCOUNT and len(refused) == 20 - ACCOUNT
    assert all(1 <= seconds <= WINDOW for seconds in refused)
    cache.clear()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_passwords_through_the_api_on_postgresql(monkeypatch):
    """The database cache (the default) under a real race: twelve wrong passwords sent at
    once, and only the limit's worth of them ever reach the password check."""
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL (SQLite serialises all writers): run with DATABASE_URL=postgres://…")
    user = make_user()
    checked, statuses, guard = [], [], threading.Lock()
    check_password = ModelBackend.authenticate

    def counted(self, request, **credentials):
        with guard:
            checked.append(credentials["username"])
        return check_password(self, request, **credentials)

    monkeypatch.setattr(ModelBackend, "authenticate", counted)
    barrier = threading.Barrier(12)

    def attempt():
        try:
            barrier.wait()
            response = api_token(Client(), user.email, "wrong-password")
            with guard:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=attempt) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(checked) == ACCOUNT
        # Those checked were wrong (401), or had become locked by the time they answered (429).
        assert len(statuses) == 12 and statuses.count(429) >= 12 - ACCOUNT and set(statuses) <= {401, 429}
        assert api_token(Client(), user.email, PASSWORD).status_code == 429
        assert len(checked) == ACCOUNT
        assert not ApiToken.objects.exists() and User.objects.get().last_login is None
    finally:
        cache.clear()  # the cache table outlives a transactional test's flush


def test_with_the_limits_off_nothing_is_counted(client, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = False
    user = make_user()
    for _ in range(ACCOUNT + NETWORK):
        assert api_token(client, user.email, "wrong-password").status_code == 401
    assert api_token(client, user.email, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "language, words", [("zh-hans", "请在 15 分钟后再试"), ("zh-hant", "請在 15 分鐘後再試")]
)
def test_the_lock_is_explained_in_chinese(language, words):
    from pathlib import Path

    from django.utils.translation.reloader import translation_file_changed

    from jusha.core import compilemessages

    compilemessages.main()  # as tests/core/test_i18n.py: the catalogues compiled and read afresh
    translation_file_changed(sender=None, file_path=Path("django.mo"))
    user = make_user()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for _ in range(ACCOUNT):
        api_token(client, user.email, "wrong-password")
    assert words in api_token(client, user.email, PASSWORD).json()["detail"]
    assert words in page_login(client, user.email, PASSWORD).content.decode()
