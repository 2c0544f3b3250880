from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from jusha.accounts import lockout

DEMO_DOMAIN = "@demo.jusha"


def demo_logins_allowed() -> bool:
    return bool(settings.JUSHA_DEMO and settings.DEBUG)


class EmailBackend(ModelBackend):
    """Log in with email + password. Demo accounts work only in a demo (DEBUG) set-up.

    Every password check passes the log-in limiter first (jusha/accounts/lockout.py): a
    locked account or network raises `lockout.Locked`, which stops `authenticate()` before
    any password is checked; a right password gives its counted attempt back.
    """

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = lockout.normalise_email(email or username)
        if not email or password is None:
            return None
        attempt = lockout.begin(request, email)
        if email.endswith(DEMO_DOMAIN) and not demo_logins_allowed():
            return None
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is not None:
            attempt.succeeded()
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and user.email.endswith(DEMO_DOMAIN) and not demo_logins_allowed():
            return None
        return user
