"""Log in with WeChat and Weibo (jusha/accounts/social.py): the real OAuth2 round trip
through django-allauth's own views and providers. Only the networks' HTTP endpoints are
replaced, at the transport boundary (`requests`' HTTPAdapter.send): anything else that would
leave the machine fails the test."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from config.settings import social_providers
from jusha.accounts import lockout
from jusha.accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

WECHAT = ("wx-open-app", "wx-open-secret")
WECHAT_MP = ("wx-mp-app", "wx-mp-secret")
WEIBO = ("weibo-key", "weibo-secret")
IN_WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.40(0x18002831) NetType/WIFI"
ME = "/accounts/me/"


class Networks:
    """WeChat's and Weibo's endpoints as a transport: answers by URL, records each request."""

    def __init__(self):
        self.people = {}  # code -> (network, person)
        self.calls = []

    def person(self, code, network, **data):
        self.people[code] = (network, data)

    def send(self, request):
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = {k: v[0] for k, v in parse_qs(request.body or "").items()} if isinstance(request.body, str) else {}
        self.calls.append((request.method, f"{url.scheme}://{url.netloc}{url.path}", {**query, **body}))
        where = f"{url.netloc}{url.path}"
        if where == "api.weixin.qq.com/sns/oauth2/access_token":
            params = {**query, **body}  # allauth sends a form body; WeChat documents a query: either
            network, person = self.people.get(params.get("code"), (None, None))
            if network != "weixin":
                return self._answer(request, {"errcode": 40029, "errmsg": "invalid code"})
            token = {"access_token": "AT-" + person["openid"], "expires_in": 7200, "refresh_token": "RT",
                     "openid": person["openid"], "scope": "snsapi_login"}
            if person.get("unionid"):
                token["unionid"] = person["unionid"]
            return self._answer(request, token)
        if where == "api.weixin.qq.com/sns/userinfo":
            person = next(p for n, p in self.people.values()
                          if n == "weixin" and "AT-" + p["openid"] == query["access_token"])
            return self._answer(request, {"privilege": [], "sex": 0, "headimgurl": "", **person})
        if where == "api.weibo.com/oauth2/access_token":
            network, person = self.people.get(body.get("code"), (None, None))
            if network != "weibo":
                return self._answer(request, {"error": "invalid_grant"}, status=400)
            return self._answer(request, {"access_token": "AT-" + person["idstr"], "expires_in": 3600,
                                          "uid": person["idstr"]})
        if where == "api.weibo.com/2/users/show.json":
            person = next(p for n, p in self.people.values() if n == "weibo" and p["idstr"] == query["uid"])
            return self._answer(request, {"id": int(person["idstr"]), "avatar_large": "", **person})
        raise requests.ConnectionError(f"no network in tests: {request.url}")

    @staticmethod
    def _answer(request, data, status=200):
        """As requests' own adapter builds it. WeChat answers UTF-8 JSON as `text/plain` with
        no charset (requests then reads Latin-1, which allauth's provider undoes); Weibo as
        `text/plain;charset=UTF-8`."""
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(data, ensure_ascii=False).encode()
        weixin = "weixin.qq.com" in request.url
        response.headers["Content-Type"] = "text/plain" if weixin else "text/plain;charset=UTF-8"
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        return response


@pytest.fixture
def networks(monkeypatch):
    fake = Networks()
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", lambda adapter, request, **kwargs: fake.send(request))
    return fake


@pytest.fixture(autouse=True)
def configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(wechat=WECHAT, wechat_mp=WECHAT_MP, weibo=WEIBO)
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def start(client, provider, **data):
    """POST the provider's log-in door; returns the network's authorize URL and its query."""
    response = client.post(reverse(f"{provider}_login"), data)
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location.split("#")[0]).query).items()}


def come_back(client, provider, code, state):
    return client.get(reverse(f"{provider}_callback"), {"code": code, "state": state})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_new_member_with_wechat_qr_gives_an_email_and_gets_the_confirmation_link(
        networks, django_capture_on_commit_callbacks):
    networks.person("c1", "weixin", openid="o-open-1", unionid="u-1", nickname="小明")
    client = Client()
    location, query = start(client, "weixin", next=ME)
    assert location.startswith("https://open.weixin.qq.com/connect/qrconnect?")
    assert query["appid"] == WECHAT[0] and query["scope"] == "snsapi_login" and query["response_type"] == "code"
    assert query["redirect_uri"].endswith("/accounts/social/weixin/login/callback/")

    response = come_back(client, "weixin", "c1", query["state"])
    assert response.status_code == 302 and response["Location"] == reverse("socialaccount_signup")
    assert not User.objects.exists()  # WeChat gives no address: the e-mail step first
    page = client.get(response["Location"])
    assert page.status_code == 200 and "email" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("socialaccount_signup"), {"email": "XiaoMing@Example.org"})
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "xiaoming@example.org" and user.display_name == "小明"
    assert user.email_verified_at is None and not user.has_usable_password()
    assert logged_in_as(client) == str(user.pk)
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("weixin", "o-open-1")
    assert [m.to for m in mail.outbox] == [["xiaoming@example.org"]]  # Jusha's own confirmation link
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    # the token went to WeChat with the website app's keys, and only there
    method, url, params = networks.calls[0]
    assert (url, params["appid"], params["secret"], params["code"]) == (
        "https://api.weixin.qq.com/sns/oauth2/access_token", *WECHAT, "c1")


def test_in_wechat_the_official_account_flow_is_used_and_unionid_joins_the_same_member(networks):
    member = make_user("qr@example.org")
    SocialAccount.objects.create(user=member, provider="weixin", uid="o-open-2", extra_data={"unionid": "u-2"})
    networks.person("c2", "weixin", openid="o-mp-2", unionid="u-2", nickname="阿花")
    phone = Client(HTTP_USER_AGENT=IN_WECHAT)
    location, query = start(phone, "weixin")
    assert location.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx-mp-app&redirect_uri=")
    assert location.endswith("#wechat_redirect")
    assert query["scope"] == "snsapi_userinfo"
    # WeChat checks the order of the parameters
    assert [k for k, _v in (p.split("=", 1) for p in urlsplit(location.split("#")[0]).query.split("&"))] == [
        "appid", "redirect_uri", "response_type", "scope", "state"]

    response = come_back(phone, "weixin", "c2", query["state"])
    assert response.status_code == 302
    assert logged_in_as(phone) == str(member.pk)
    assert set(SocialAccount.objects.filter(user=member).values_list("uid", flat=True)) == {"o-open-2", "o-mp-2"}
    assert networks.calls[0][2]["appid"] == WECHAT_MP[0] and networks.calls[0][2]["secret"] == WECHAT_MP[1]
    assert User.objects.count() == 1


def test_member_links_weibo_on_the_account_page_then_logs_in_with_it(networks):
    member = make_user("lin@example.org")
    networks.person("w1", "weibo", idstr="1001", screen_name="林林", name="林林")
    client = Client()
    client.force_login(member)
    page = client.get(ME).content.decode()
    assert 'data-testid="networks"' in page and reverse("weibo_login") in page

    _location, query = start(client, "weibo", process="connect", next=ME)
    assert _location.startswith("https://api.weibo.com/oauth2/authorize?")
    response = come_back(client, "weibo", "w1", query["state"])
    assert response.status_code == 302 and response["Location"] == ME
    account = SocialAccount.objects.get(user=member)
    assert (account.provider, account.uid) == ("weibo", "1001")
    assert "林林" in client.get(ME).content.decode()

    networks.person("w2", "weibo", idstr="1001", screen_name="林林", name="林林")
    browser = Client()
    _location, query = start(browser, "weibo")
    response = come_back(browser, "weibo", "w2", query["state"])
    assert response.status_code == 302
    assert logged_in_as(browser) == str(member.pk)
    assert User.objects.count() == 1


def test_an_address_of_a_member_is_not_taken_over_by_a_social_sign_up(networks):
    member = make_user("taken@example.org")
    networks.person("c3", "weixin", openid="o-open-3", nickname="x")
    client = Client()
    _location, query = start(client, "weixin")
    come_back(client, "weixin", "c3", query["state"])
    response = client.post(reverse("socialaccount_signup"), {"email": "Taken@example.org"})
    assert response.status_code == 200
    response = client.post(reverse("socialaccount_signup"), {"email": "someone@demo.jusha"})
    assert response.status_code == 200 and not User.objects.filter(email="someone@demo.jusha").exists()
    assert "taken@example.org" not in [u.email for u in User.objects.exclude(pk=member.pk)]
    assert not SocialAccount.objects.exists() and logged_in_as(client) is None
    assert User.objects.count() == 1


def test_unlink_and_the_last_way_to_log_in_cannot_be_unlinked():
    member = make_user("two@example.org")
    weibo = SocialAccount.objects.create(user=member, provider="weibo", uid="2001", extra_data={"screen_name": "w"})
    client = Client()
    client.force_login(member)
    response = client.post(reverse("accounts:social_unlink", args=[weibo.pk]), follow=True)
    assert response.status_code == 200 and not SocialAccount.objects.exists()

    only = User.objects.create_user("only@example.org", None)  # came with WeChat: no password
    wechat = SocialAccount.objects.create(user=only, provider="weixin", uid="o-only")
    client.force_login(only)
    response = client.post(reverse("accounts:social_unlink", args=[wechat.pk]), follow=True)
    assert SocialAccount.objects.filter(pk=wechat.pk).exists()
    assert "only way to log in" in response.content.decode() or "唯一" in response.content.decode()

    other = make_user()
    client.force_login(other)  # another member's network is not even named
    assert client.post(reverse("accounts:social_unlink", args=[wechat.pk])).status_code == 404
    assert SocialAccount.objects.filter(pk=wechat.pk).exists()


def test_a_provider_without_keys_is_not_offered_and_its_urls_answer_404(settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(wechat=WECHAT)
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("weixin_login") in page and reverse("weibo_login") not in page
    assert client.post(reverse("weibo_login")).status_code == 404
    assert client.get(reverse("weibo_callback"), {"code": "x", "state": "y"}).status_code == 404

    settings.SOCIALACCOUNT_PROVIDERS = social_providers()
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'data-testid="social-login"' not in page
    assert client.post(reverse("weixin_login")).status_code == 404
    # only the WeChat in-WeChat app: offered inside WeChat, not on a computer
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(wechat_mp=WECHAT_MP)
    assert client.post(reverse("weixin_login")).status_code == 404
    assert Client(HTTP_USER_AGENT=IN_WECHAT).post(reverse("weixin_login")).status_code == 302


def test_allauths_own_account_pages_are_not_reachable():
    client = Client()
    for path in ("/accounts/social/", "/accounts/social/email/", "/accounts/social/password/reset/",
                 "/accounts/social/connections/", "/accounts/social/3rdparty/"):
        assert client.get(path).status_code == 404
    assert client.get("/accounts/social/login/")["Location"] == reverse("accounts:login")


def test_a_state_that_is_not_this_browsers_is_refused_and_nothing_changes(networks):
    networks.person("c4", "weixin", openid="o-open-4", nickname="y")
    attacker, victim = Client(), Client()
    _location, query = start(attacker, "weixin")
    response = come_back(victim, "weixin", "c4", query["state"])  # a log-in CSRF
    assert 'data-testid="social-error"' in response.content.decode()
    response = come_back(attacker, "weixin", "c4", "not-the-state")
    assert 'data-testid="social-error"' in response.content.decode()
    assert logged_in_as(victim) is None and logged_in_as(attacker) is None
    assert not SocialAccount.objects.exists() and not User.objects.exists()
    assert networks.calls == []  # the code was never even spent


def test_the_log_in_limits_apply(settings, networks, monkeypatch):
    monkeypatch.setattr(lockout, "clock", lambda: 1_800_000_100.0)
    settings.JUSHA_LOGIN_LIMITS = {"account": (3, 900), "network": (2, 900)}
    member = make_user("limited@example.org")
    SocialAccount.objects.create(user=member, provider="weibo", uid="3001")
    networks.person("w3", "weibo", idstr="3001", screen_name="z", name="z")
    client = Client()
    _location, query = start(client, "weibo")
    for _ in range(2):  # two failed callbacks (a bad code) from this network
        response = come_back(client, "weibo", "bad", query["state"])
        assert response.status_code != 429
        _location, query = start(client, "weibo")
    response = come_back(client, "weibo", "w3", query["state"])  # the right one, past the limit
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert logged_in_as(client) is None
    assert client.post(reverse("weibo_login")).status_code == 429  # cannot even start

    # saying no at the network's page is no failed attempt
    cache.clear()
    for _ in range(3):
        _location, query = start(client, "weibo")
        response = client.get(reverse("weibo_callback"), {"error": "access_denied", "state": query["state"]})
        assert response.status_code == 302 and response["Location"] == reverse("socialaccount_login_cancelled")
    assert client.get(reverse("socialaccount_login_cancelled")).status_code == 200

    # a successful log-in gives its attempt back; a locked account is locked at every door
    cache.clear()
    settings.JUSHA_LOGIN_LIMITS = {"account": (3, 900), "network": (10, 900)}
    _location, query = start(client, "weibo")
    assert come_back(client, "weibo", "w3", query["state"]).status_code == 302
    assert logged_in_as(client) == str(member.pk)
    other = Client()
    for _ in range(4):
        other.post(reverse("accounts:login"), {"username": member.email, "password": "wrong-password!"})
    assert lockout.retry_after(None, member.email) is not None
    browser = Client()
    _location, query = start(browser, "weibo")
    response = come_back(browser, "weibo", "w3", query["state"])
    assert response.status_code == 429 and logged_in_as(browser) is None


def test_the_log_in_pages_may_send_their_buttons_on_to_the_networks():
    from config.settings import social_form_action

    assert social_form_action(social_providers()) == []
    assert social_form_action(social_providers(wechat=WECHAT, wechat_mp=WECHAT_MP, weibo=WEIBO)) == [
        "https://open.weixin.qq.com", "https://api.weibo.com"]


def test_a_guest_gift_is_claimed_as_today_once_the_social_sign_up_confirms_its_address(
        networks, django_capture_on_commit_callbacks):
    import re

    from jusha.core.errors import Forbidden
    from tests.factories import make_project
    from tests.gifts import claim, paid_gift

    donation = paid_gift(make_project(), 5000, email="guest@example.org")
    networks.person("c9", "weixin", openid="o-open-9", nickname="客")
    client = Client()
    _location, query = start(client, "weixin")
    come_back(client, "weixin", "c9", query["state"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("socialaccount_signup"), {"email": "guest@example.org"})
    user = User.objects.get(email="guest@example.org")
    with pytest.raises(Forbidden) as refused:  # the network vouches for no address
        claim(donation, user)
    assert refused.value.code == "email_not_confirmed"

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    assert client.post(urlsplit(link).path).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert claim(donation, user).donor_id == user.pk
