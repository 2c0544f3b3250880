from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "jusha.social"
    label = "social"
    verbose_name = _("Sharing and relays")

    def ready(self):
        _contribute_to_project_pages()


def _contribute_to_project_pages():
    """The project page carries the sharing card's meta tags and the pass-it-on box."""
    from jusha.projects import contributions as project
    from jusha.social import sections

    project.detail_sections.register(sections.project_page, order=30)
