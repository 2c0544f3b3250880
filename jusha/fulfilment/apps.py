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
        # After a settler's batch, once for all of its gifts (their projects read together).
        events.gift_paid.subscribe(tasks.on_gift_paid, order=20, phase=events.AFTER_COMMIT, many=True)
        ledger_checks.register(checks.batch_problems, order=600)
        _subscribe_project_cancelled()
        _contribute_to_project_pages()
        _contribute_to_organisation_pages()


def _subscribe_project_cancelled():
    """A cancelled project's batches not yet purchased are cancelled with it, in the
    cancelling transaction (before giving queues the refunds after commit)."""
    from jusha.core.events import IN_TRANSACTION, project_cancelled
    from jusha.fulfilment.services import batches_cancel_for_project

    project_cancelled.subscribe(batches_cancel_for_project, order=10, phase=IN_TRANSACTION)


def _contribute_to_project_pages():
    """The project page shows the delivery batches; the project API the batch size."""
    from jusha.fulfilment import sections
    from jusha.projects import contributions as project

    project.detail_sections.register(sections.project_page, order=40)
    project.api_detail_fields.register(sections.project_detail_fields, order=40)

    from jusha.giving import contributions as gift

    gift.receipt_sections.register(sections.receipt_page, order=40)
    gift.mine_sections.register(sections.my_gifts_page, order=40)


def _contribute_to_organisation_pages():
    """The members' dashboard shows each organisation's batches waiting for action."""
    from jusha.fulfilment import sections
    from jusha.organisations import contributions as organisation

    organisation.dashboard_sections.register(sections.organisation_dashboard, order=20)
