from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "jusha.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        from jusha.core import events
        from jusha.volunteering import hours, sections

        # A delivery confirmed by someone assigned to its batch counts as their hours.
        events.delivery_confirmed.subscribe(hours.on_delivery_confirmed, order=10, phase=events.IN_TRANSACTION)
        from jusha.organisations import contributions as organisation

        organisation.dashboard_sections.register(sections.organisation_dashboard, order=60)
        from jusha.accounts import contributions as account

        account.me_sections.register(sections.account_page, order=50)
