from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "jusha.matching"
    label = "matching"
    verbose_name = _("Matching pools")

    def ready(self):
        _contribute_to_project_pages()


def _contribute_to_project_pages():
    """The project page shows what sponsors matched, beside the progress."""
    from jusha.matching import sections
    from jusha.projects import contributions as project

    project.detail_sections.register(sections.project_page, order=20)
