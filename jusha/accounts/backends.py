from django.conf import settings
from django.contrib.auth.backends import ModelBackend

DEMO_DOMAIN = "@demo.jusha"


def demo_logins_allowed() -> bool:
    return bool(settings.JUSHA_DEMO and settings.DEBUG)


class EmailBackend(ModelBackend):
    """Log in with email + password. Demo accounts work only in a demo (DEBUG) set-up."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip().lower()
        if not email or password is None:
            return None
        if email.endswith(DEMO_DOMAIN) and not demo_logins_allowed():
            return None
        return super().authenticate(request, username=email, password=password, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and user.email.endswith(DEMO_DOMAIN) and not demo_logins_allowed():
            return None
        return user
