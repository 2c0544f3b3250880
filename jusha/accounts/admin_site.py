"""The admin site: Django's, with its log-in door behind the log-in limiter.

Installed as the default site through `apps.AdminConfig.default_site` (Django's own way to
replace `admin.site`), so every app's `@admin.register` lands here unchanged.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from jusha.accounts import lockout
from jusha.accounts.forms import LockedLoginMixin


class AdminLoginForm(LockedLoginMixin, AdminAuthenticationForm):
    pass


class JushaAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        return lockout.locked_response(response, getattr(form, "retry_after", None))
