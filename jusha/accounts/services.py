"""Every write of the accounts app: sign-up, e-mail confirmation and personal API tokens."""

import datetime
import logging
import secrets

from allauth.socialaccount.forms import DisconnectForm
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.accounts.backends import DEMO_DOMAIN, demo_logins_allowed
from jusha.accounts.models import ApiToken, User
from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid

TOKEN_PREFIX = "jsk_"
EMAIL_CONFIRM_SALT = "jusha.accounts.email-confirm"
EMAIL_CONFIRM_MAX_AGE = datetime.timedelta(days=3)

logger = logging.getLogger(__name__)

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
            user = User.objects.create_user(email, password, display_name=display_name)
            email_confirmation_send(user=user)
            return user
    except IntegrityError as exc:  # the same address signed up a moment ago
        raise Conflict(_("An account with this email address already exists. Log in or reset your password."),
                       code="email_taken") from exc

def email_confirmation_token(user: User) -> str:
    """A signed, timestamped token naming the account and the address it confirms: it stops
    working after EMAIL_CONFIRM_MAX_AGE, and as soon as the account's address changes."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_CONFIRM_SALT, compress=True)

def email_confirmation_send(*, user: User) -> None:
    """Mail the account a link that confirms its address, once the transaction commits."""
    link = settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse(
        "accounts:email_confirm", args=[email_confirmation_token(user)]
    )
    days = EMAIL_CONFIRM_MAX_AGE.days
    text = render_to_string("accounts/email/confirm.txt", {"user": user, "link": link, "days": days})
    subject, _sep, body = text.strip().partition("\n")
    address = user.email

    def send():
        try:
            send_mail(" ".join(subject.split()), body.strip() + "\n", None, [address])
        except Exception:  # noqa: BLE001 - the account exists; the owner can ask for the link again
            logger.exception("could not send the e-mail confirmation link")

    transaction.on_commit(send)

def email_confirmation_resend(*, actor: User) -> None:
    """The account's owner asks for the link again (the caller rate-limits this)."""
    if actor.email_verified_at is not None:
        raise Conflict(_("Your email address is already confirmed."), code="email_already_confirmed")
    email_confirmation_send(user=actor)

def user_for_email_confirmation(token: str) -> User:
    """The account a confirmation link names, or Invalid when the link is broken, expired or
    for an address the account no longer has."""
    try:
        data = signing.loads(token or "", salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise Invalid(_("This confirmation link has expired. Log in and send yourself a new one from your "
                        "account page."), code="confirmation_link_expired") from exc
    except signing.BadSignature as exc:
        raise Invalid(_("This confirmation link is not valid. Check that you opened the whole link from the "
                        "email."), code="confirmation_link_invalid") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first() if isinstance(data, dict) else None
    if user is None or user.email != data.get("e"):
        raise Invalid(_("This confirmation link is not valid. Check that you opened the whole link from the "
                        "email."), code="confirmation_link_invalid")
    return user

@transaction.atomic
def user_email_confirm(*, token: str) -> User:
    """The link's owner confirms the address. Confirming twice changes nothing."""
    user = user_for_email_confirmation(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user

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

def social_account_unlink(*, request, account: SocialAccount) -> None:
    """The member unlinks a network from their account. allauth's own rule holds: the only
    way left to log in (no password, no other network) cannot be unlinked (Conflict)."""
    form = DisconnectForm(data={"account": account.pk}, request=request)
    if not form.is_valid():
        detail = " ".join(str(message) for messages in form.errors.values() for message in messages)
        raise Conflict(detail, code="social_account_last")
    with transaction.atomic():
        form.save()
