from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "jusha.pledges"
    label = "pledges"
    verbose_name = _("Monthly giving")

    def ready(self):
        from jusha.funds.contributions import fund_sections
        from jusha.giving.contributions import donate_offers, mine_top_sections, pause_offers
        from jusha.pledges import sections, targets

        targets.target_register("project", resolve=sections.resolve_project, label=sections.label_project)
        targets.target_register("cause", resolve=sections.resolve_cause, label=sections.label_cause)
        # "My giving" lists the pledges with their one-click buttons; the pause screen and a
        # fund's page offer monthly giving.
        mine_top_sections.register(sections.my_giving, order=10)
        pause_offers.register(sections.pause_offer, order=10)
        donate_offers.register(sections.donate_offer, order=10)
        fund_sections.register(sections.fund_offer, order=10)
        # Organisation dashboards show whether their donors come back.
        from jusha.organisations.contributions import dashboard_sections

        dashboard_sections.register(sections.organisation_dashboard, order=30)
