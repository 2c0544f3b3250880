from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "jusha.ledger"
    label = "ledger"
    verbose_name = _("Public ledger")

    def ready(self):
        _contribute_to_project_pages()


def _contribute_to_project_pages():
    """The project page and API show the budget's spending and the latest ledger entries."""
    from jusha.ledger import sections
    from jusha.projects import contributions as project

    project.detail_sections.register(sections.project_page, order=50)
    project.api_detail_fields.register(sections.project_detail_fields, order=50)
