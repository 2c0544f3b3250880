from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jusha.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # allauth lends social log-in only: its apps come from settings (no rows to edit), no
        # token is stored, and its e-mail addresses are not Jusha's. Its admin pages go (their
        # labels are not in Jusha's catalogues); a member's networks show on the account page.
        from django.contrib import admin

        from allauth.account.models import EmailAddress
        from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

        for model in (SocialApp, SocialAccount, SocialToken, EmailAddress):
            if admin.site.is_registered(model):
                admin.site.unregister(model)


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the log-in limiter on its log-in page (admin_site.py);
    named in INSTALLED_APPS in its place."""

    default = False  # not the configuration of the accounts app itself
    default_site = "jusha.accounts.admin_site.JushaAdminSite"
