from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "jusha.fulfilment"
    label = "fulfilment"
    verbose_name = _("Delivery batches")

    def ready(self):
        from jusha.fulfilment import checks
        from jusha.ledger.checks import ledger_checks

        ledger_checks.register(checks.batch_problems, order=600)
