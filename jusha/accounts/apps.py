from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jusha.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the log-in limiter on its log-in page (admin_site.py);
    named in INSTALLED_APPS in its place."""

    default = False  # not the configuration of the accounts app itself
    default_site = "jusha.accounts.admin_site.JushaAdminSite"
