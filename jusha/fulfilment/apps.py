from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "jusha.fulfilment"
    label = "fulfilment"
    verbose_name = _("Delivery batches")

    def ready(self):
        _subscribe_project_cancelled()


def _subscribe_project_cancelled():
    """A cancelled project's batches not yet purchased are cancelled with it, in the
    cancelling transaction (before giving queues the refunds after commit)."""
    from jusha.core.events import IN_TRANSACTION, project_cancelled
    from jusha.fulfilment.services import batches_cancel_for_project

    project_cancelled.subscribe(batches_cancel_for_project, order=10, phase=IN_TRANSACTION)
