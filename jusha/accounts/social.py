"""Social log-in (WeChat, Weibo) through django-allauth's own providers, for log-in only.

Jusha's log-in and sign-up pages stay its own; allauth lends the OAuth2 round trip of its
`weixin` and `weibo` providers and the e-mail step of a first social sign-up. This module is
where the two meet (allauth's adapters, named in settings):

- Apps come from settings only (SOCIALACCOUNT_PROVIDERS "APPS", built from the JUSHA_WECHAT_*
  and JUSHA_WEIBO_* variables): a provider without keys is not offered and its URLs answer 404
  (social_urls.py).
- WeChat has two apps. On a computer, the open platform's website app: a QR code to scan
  (connect/qrconnect, scope snsapi_login). Inside WeChat's own browser (its user agent says
  MicroMessenger), the official account (公众号): connect/oauth2/authorize with scope
  snsapi_userinfo and WeChat's `#wechat_redirect`. allauth's provider takes the authorize URL
  from one provider-wide setting, so the in-WeChat app gets a provider object (of allauth's own
  class) that reads it from the app's settings instead. Both apps' people are the same person
  when WeChat says so: the same `unionid` (apps bound to one open-platform account) joins an
  in-WeChat log-in to the member that scanned a QR code before, and the other way round.
- The log-in limits (lockout.py) hold: a locked network cannot start or finish a social
  log-in, each callback counts as an attempt until it succeeds, and a locked account stays
  locked whatever door is used. A demo or inactive account cannot come in this way either.
- The e-mail rules hold: WeChat and Weibo give no address, so a first social log-in asks for
  one; an address that belongs to a member is refused (log in first, then link the network
  on the account page); a new account's address is unconfirmed and gets the confirmation
  link, and only a confirmed address can claim guest gifts (giving.services.donation_claim).
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.weixin.provider import WeixinProvider
from django.conf import settings
from django.core.exceptions import ValidationError
from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.accounts import lockout
from jusha.accounts.backends import DEMO_DOMAIN, demo_logins_allowed
from jusha.accounts.services import email_confirmation_send

PROVIDERS = ("weixin", "weibo")
NAMES = {"weixin": _("WeChat"), "weibo": _("Weibo")}
WECHAT_REDIRECT = "#wechat_redirect"
ATTEMPT = "_jusha_social_attempt"  # the callback's counted log-in attempt, on the request

def in_wechat(request) -> bool:
    """Is this request from WeChat's own browser?"""
    return request is not None and "micromessenger" in request.META.get("HTTP_USER_AGENT", "").lower()

def settings_apps(provider: str | None = None) -> list[SocialApp]:
    """The apps configured in settings (unsaved rows, as allauth builds them), in order."""
    apps = []
    for provider_id, conf in settings.SOCIALACCOUNT_PROVIDERS.items():
        if provider and provider != provider_id:
            continue
        for item in conf.get("APPS", []):
            apps.append(SocialApp(
                provider=provider_id, name=str(NAMES.get(provider_id, provider_id)),
                client_id=item["client_id"], secret=item["secret"], key=item.get("key", ""),
                settings=dict(item.get("settings", {})),
            ))
    return apps

def app_for(request, provider: str) -> SocialApp | None:
    """The app a log-in from this browser goes through, or None (not offered here)."""
    apps = settings_apps(provider)
    if provider == "weixin":
        inside = [app for app in apps if app.settings.get("in_wechat")]
        outside = [app for app in apps if not app.settings.get("in_wechat")]
        # Inside WeChat the official account's page; a QR code cannot be scanned by the phone
        # that shows it, but it is better than nothing when only the website app is set up.
        apps = (inside or outside) if in_wechat(request) else outside
    return apps[0] if apps else None

def providers_offered(request) -> list[dict]:
    """The networks a visitor may log in with here, for the log-in and account pages."""
    return [
        {"id": provider, "name": NAMES[provider], "login_url": reverse(f"{provider}_login")}
        for provider in PROVIDERS if app_for(request, provider) is not None
    ]

class InWeChatWeixinProvider(WeixinProvider):
    """allauth's WeChat provider for the official account's app: the token and profile
    endpoints are the same; the authorize URL is the app's own, with `#wechat_redirect`
    after the query as WeChat asks. Not registered: the adapter hands it out for that app."""

    def get_settings(self) -> dict:
        return {**super().get_settings(), "AUTHORIZE_URL": self.app.settings["authorize_url"]}

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        response = super().redirect(request, process, next_url=next_url, data=data, **kwargs)
        location = response.get("Location", "")
        if location.startswith(self.app.settings["authorize_url"]) and "#" not in location:
            response["Location"] = location + WECHAT_REDIRECT
        return response

def _refuse(request, message, *, status: int, retry_after: int | None = None):
    response = render(request, "accounts/social_refused.html", {"message": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response

def refused_locked(request, seconds: int):
    return _refuse(request, lockout.locked_message(seconds), status=429, retry_after=seconds)

class SocialAccountAdapter(DefaultSocialAccountAdapter):
    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "email_taken": _("A member already uses this email address. Log in to that account first, then link "
                         "%s on your account page."),
        "no_password": _("This is your only way to log in: set a password first (reset it by email), then "
                         "unlink it."),
        "no_verified_email": _("Confirm your email address first, then unlink it."),
        "disconnect_last": _("This is your only way to log in, so it cannot be unlinked."),
        "connected_other": _("This account of the network is already linked to another member."),
    }

    # --- apps from settings only ------------------------------------------------------
    def list_apps(self, request, provider=None, client_id=None):
        apps = settings_apps(provider)
        return [app for app in apps if client_id is None or app.client_id == client_id]

    def get_app(self, request, provider, client_id=None):
        if client_id is None:
            app = app_for(request, provider)
        else:
            app = next(iter(self.list_apps(request, provider, client_id)), None)
        if app is None:
            raise SocialApp.DoesNotExist()
        return app

    def get_provider(self, request, provider, client_id=None):
        found = super().get_provider(request, provider, client_id=client_id)
        if found.id == "weixin" and found.app is not None and found.app.settings.get("authorize_url"):
            found = InWeChatWeixinProvider(request, app=found.app)
        if found.id in NAMES:
            found.name = NAMES[found.id]  # 微信, not allauth's "Weixin"
        return found

    # --- the log-in ---------------------------------------------------------------------
    def pre_social_login(self, request, sociallogin):
        if not sociallogin.is_existing:
            self._join_by_unionid(request, sociallogin)
        user = sociallogin.user if sociallogin.is_existing else None
        if user is not None and not request.user.is_authenticated:
            if not user.is_active or (user.email.endswith(DEMO_DOMAIN) and not demo_logins_allowed()):
                raise ImmediateHttpResponse(_refuse(request, _("This account cannot log in."), status=403))
            seconds = lockout.retry_after(request, user.email)
            if seconds is not None:  # a locked account is locked at every door
                raise ImmediateHttpResponse(refused_locked(request, seconds))
        attempt = getattr(request, ATTEMPT, None)
        if attempt is not None:  # the network proved itself: this attempt was no failure
            attempt.succeeded()

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """A refused state or code stays counted against the network (a failed attempt); a
        member who said no at the network's page tried nothing: the attempt goes back."""
        attempt = getattr(request, ATTEMPT, None)
        if attempt is not None and error == AuthError.CANCELLED:
            attempt.succeeded()
        super().on_authentication_error(request, provider, error=error, exception=exception,
                                        extra_context=extra_context)

    def _join_by_unionid(self, request, sociallogin):
        """WeChat's `unionid` is one person across the apps of one open-platform account."""
        if sociallogin.account.provider != "weixin":
            return
        unionid = (sociallogin.account.extra_data or {}).get("unionid")
        if not unionid:
            return
        other = (SocialAccount.objects.select_related("user")
                 .filter(provider="weixin", extra_data__unionid=unionid).first())
        if other is not None and (not request.user.is_authenticated or request.user == other.user):
            sociallogin.connect(request, other.user)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or data.get("username") or "").strip()
        user.display_name = name[:60]
        user.email = (user.email or "").strip().lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        if user.email and user.email_verified_at is None:
            email_confirmation_send(user=user)
        return user

    def get_connect_redirect_url(self, request, socialaccount):
        return reverse("accounts:me")

MESSAGES = {  # allauth's messages of the social log-in, in Jusha's words and catalogues
    "account/messages/logged_in.txt": (None, _("You are logged in.")),
    "socialaccount/messages/account_connected.txt": (None, _("Linked: you can log in with it from now on.")),
    "socialaccount/messages/account_connected_updated.txt": (
        None, _("This network was already linked to your account.")),
    "socialaccount/messages/account_connected_other.txt": (
        messages.ERROR, SocialAccountAdapter.error_messages["connected_other"]),
    "socialaccount/messages/account_disconnected.txt": (None, _("The network is unlinked from your account.")),
}

class AccountAdapter(DefaultAccountAdapter):
    """allauth's account side, used only by the social log-in's last steps."""

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        if message_template in MESSAGES:
            own_level, text = MESSAGES[message_template]
            messages.add_message(request, own_level or level, text, extra_tags=extra_tags)
        elif message is not None:
            messages.add_message(request, level, message, extra_tags=extra_tags)
        # any other allauth message belongs to pages Jusha does not mount

    def is_open_for_signup(self, request):
        return True

    def clean_email(self, email):
        email = super().clean_email(email).strip().lower()
        if email.endswith(DEMO_DOMAIN) and not demo_logins_allowed():  # as user_sign_up
            raise ValidationError(_("This email domain is reserved for demo accounts."), code="email_reserved")
        return email

def account_label(account: SocialAccount) -> str:
    """The name the network knows the member by (its nickname), without asking it."""
    data = account.extra_data or {}
    return str(data.get("nickname") or data.get("screen_name") or data.get("name") or "")

def networks_of(request, user, accounts: list[SocialAccount]) -> list[dict]:
    """The account page's rows: each network, the member's linked accounts of it (with an
    unlink button), and a link button where the network is offered here."""
    rows = []
    for provider in PROVIDERS:
        linked = [{"pk": a.pk, "label": account_label(a)} for a in accounts if a.provider == provider]
        can_link = app_for(request, provider) is not None
        if linked or can_link:
            rows.append({"id": provider, "name": NAMES[provider], "linked": linked, "can_link": can_link,
                         "login_url": reverse(f"{provider}_login")})
    return rows
