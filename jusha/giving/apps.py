from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GivingConfig(AppConfig):
    name = "jusha.giving"
    label = "giving"
    verbose_name = _("Gifts")

    def ready(self):
        from jusha.giving import checks, fees, services
        from jusha.ledger.checks import ledger_checks
        from jusha.payments.services import PaymentHandler, payment_handler_register

        # Payments below hand every verified provider event to giving, never importing it.
        payment_handler_register(
            PaymentHandler(succeeded=services.donation_payment_succeeded, failed=services.donation_payment_failed,
                           records=services.payment_records, fee=services.donation_fee_record,
                           fee_return=fees.refund_fee_return_record)
        )
        ledger_checks.register(checks.gift_problems, order=200)
        ledger_checks.register(checks.refund_problems, order=300)
        ledger_checks.register(checks.fee_return_problems, order=310)
        _subscribe_project_cancelled()
        _contribute_to_project_pages()


def _subscribe_project_cancelled():
    """A cancelled project that had raised money refunds every gift, once it has committed."""
    from jusha.core.events import AFTER_COMMIT, project_cancelled
    from jusha.giving.tasks import refund_all_gifts_of_cancelled

    project_cancelled.subscribe(refund_all_gifts_of_cancelled, order=10, phase=AFTER_COMMIT)


def _contribute_to_project_pages():
    """Project cards count the donors; the project page shows the donors' wall."""
    from jusha.giving import sections, selectors
    from jusha.projects import contributions as project

    project.card_figures.register(selectors.project_card_figures, order=10)
    project.detail_sections.register(sections.project_page, order=60)
