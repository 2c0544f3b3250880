"""The admin site: Django's, with its doors that check a password behind the log-in limiter.

Installed as the default site through `apps.AdminConfig.default_site` (Django's own way to
replace `admin.site`), so every app's `@admin.register` lands here unchanged.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse

from jusha.accounts import lockout
from jusha.accounts.forms import LockedLoginMixin, PasswordChangeForm


class AdminLoginForm(LockedLoginMixin, AdminAuthenticationForm):
    pass


class AdminPasswordChangeForm(PasswordChangeForm):
    required_css_class = "required"  # as Django's admin form


class AdminPasswordChangeView(PasswordChangeView):
    """The old password checked through the limiter, as on the account pages."""

    form_class = AdminPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        return lockout.locked_response(super().form_invalid(form), form.retry_after)


class JushaAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        return lockout.locked_response(response, getattr(form, "retry_after", None))

    def password_change(self, request, extra_context=None):
        # Django's AdminSite.password_change (5.2), with the limited form and view.
        defaults = {
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return AdminPasswordChangeView.as_view(**defaults)(request)
