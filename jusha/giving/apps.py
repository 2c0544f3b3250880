from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GivingConfig(AppConfig):
    name = "jusha.giving"
    label = "giving"
    verbose_name = _("Gifts")

    def ready(self):
        from jusha.giving import checks
        from jusha.ledger.checks import ledger_checks

        ledger_checks.register(checks.gift_problems, order=200)
        ledger_checks.register(checks.refund_problems, order=300)
