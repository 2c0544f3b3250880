"""How API callers are recognised: Bearer token, browser session (with CSRF), or nobody."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from jusha.accounts.backends import DEMO_DOMAIN, demo_logins_allowed
from jusha.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a personal API token. A bad token is a 401."""

    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None or (found.user.email.endswith(DEMO_DOMAIN) and not demo_logins_allowed()):
            raise AuthenticationError(401, _("The API token is not valid or was revoked."))
        now = timezone.now()
        if found.last_used_at is None or found.last_used_at < now - timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found.user


class BrowserSession(SessionAuth):
    """The logged-in browser session; unsafe methods must carry the CSRF header.

    A caller without a logged-in session is not checked for CSRF: it carries no ambient
    authority, and a guest's gift from a script must not need a CSRF cookie.
    """

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


def anonymous(request):
    return AnonymousUser()


member = [TokenAuth(), BrowserSession(csrf=True)]
anyone = [TokenAuth(), BrowserSession(csrf=True), anonymous]


def token_user(token: str):
    """The member a personal API token belongs to (None for no, a bad or a revoked token),
    for endpoints open to anyone that show more to the gift's own donor."""
    if not token:
        return None
    found = ApiToken.objects.select_related("user").filter(
        digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True
    ).first()
    return found.user if found else None
