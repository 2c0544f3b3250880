from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "jusha.funds"
    label = "funds"
    verbose_name = _("Cause funds")

    def ready(self):
        from jusha.funds import sections
        from jusha.giving.contributions import pause_offers
        from jusha.projects.contributions import detail_sections

        # The pause screen offers the cause's fund; a fund's own project page shows its rule and grants.
        pause_offers.register(sections.pause_offer, order=20)
        detail_sections.register(sections.project_page, order=85)
