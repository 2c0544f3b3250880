from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "jusha.social"
    label = "social"
    verbose_name = _("Sharing and relays")
