from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "jusha.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from jusha.ledger.checks import ledger_checks, ledger_notes
        from jusha.payments import checks, reconcile

        checks.register()
        # ledger_check: statement days with differences still open are problems; which days
        # are reconciled and which are not, a note.
        ledger_checks.register(reconcile.reconciliation_problems, order=800)
        ledger_notes.register(reconcile.reconciliation_notes, order=800)
