from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "jusha.crisis"
    label = "crisis"
    verbose_name = _("Crisis early warning")

    def ready(self):
        # The account page links responders to the queue and supervisors and staff to the team.
        from jusha.accounts import contributions as account
        from jusha.crisis import sections

        account.me_sections.register(sections.account_page, order=70)
