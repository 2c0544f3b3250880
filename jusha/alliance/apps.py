from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "jusha.alliance"
    label = "alliance"
    verbose_name = _("Alliance between platforms")

    def ready(self):
        from jusha.alliance import subscribers

        subscribers.connect()
