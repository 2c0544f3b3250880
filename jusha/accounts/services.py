"""Every write of the accounts app: sign-up and personal API tokens."""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.accounts.backends import DEMO_DOMAIN, demo_logins_allowed
from jusha.accounts.models import ApiToken, User
from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid

TOKEN_PREFIX = "jsk_"


def user_sign_up(*, email: str, password: str, display_name: str = "") -> User:
    """Create a member account. There is no actor: the caller is not logged in yet."""
    email = User.objects.normalize_email((email or "").strip()).lower()
    display_name = (display_name or "").strip()
    if email.endswith(DEMO_DOMAIN) and not demo_logins_allowed():
        raise Invalid(_("This email domain is reserved for demo accounts."), code="email_reserved")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this email address already exists. Log in or reset your password."),
                       code="email_taken")
    try:
        password_validation.validate_password(password, User(email=email, display_name=display_name))
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), code="password_invalid") from exc
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, display_name=display_name)
    except IntegrityError as exc:  # the same address signed up a moment ago
        raise Conflict(_("An account with this email address already exists. Log in or reset your password."),
                       code="email_taken") from exc


@transaction.atomic
def api_token_create(*, name: str, actor: User) -> tuple[ApiToken, str]:
    """A personal token for the actor. Returns the row and the secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=(name or "").strip()[:80], prefix=secret[:12], digest=ApiToken.digest_of(secret)
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Its owner revokes a token, or staff do (audit-logged). Revoking twice changes nothing."""
    if token.user_id != actor.pk:
        if not actor.is_staff:
            raise Forbidden(_("You can only revoke your own API tokens."), code="forbidden")
        audit_record(actor=actor, action="api_token.revoke", target=token, data={"user": token.user_id})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token
