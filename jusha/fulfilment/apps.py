from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "jusha.fulfilment"
    label = "fulfilment"
    verbose_name = _("Delivery batches")

    def ready(self):
        from jusha.core import events
        from jusha.fulfilment import checks, tasks
        from jusha.ledger.checks import ledger_checks

        # The gift path (docs/architecture.md gives the order of every subscriber).
        events.gift_paid.subscribe(tasks.on_gift_paid, order=20, phase=events.AFTER_COMMIT)
        ledger_checks.register(checks.batch_problems, order=600)
