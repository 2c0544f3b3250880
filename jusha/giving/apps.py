from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GivingConfig(AppConfig):
    name = "jusha.giving"
    label = "giving"
    verbose_name = _("Gifts")

    def ready(self):
        from jusha.giving import checks, services
        from jusha.ledger.checks import ledger_checks
        from jusha.payments.services import PaymentHandler, payment_handler_register

        # Payments below hand every verified provider event to giving, never importing it.
        payment_handler_register(
            PaymentHandler(succeeded=services.donation_payment_succeeded, failed=services.donation_payment_failed)
        )
        ledger_checks.register(checks.gift_problems, order=200)
        ledger_checks.register(checks.refund_problems, order=300)
