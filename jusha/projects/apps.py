from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "jusha.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from jusha.core import events
        from jusha.projects import tasks

        # The gift path (docs/architecture.md gives the order of every subscriber).
        # After a settler's batch, once for all of its gifts (their projects read together).
        events.gift_paid.subscribe(tasks.on_gift_paid, order=10, phase=events.AFTER_COMMIT, many=True)
        _contribute_to_organisation_pages()


def _contribute_to_organisation_pages():
    """An organisation's page lists its projects; its members' dashboard the projects
    waiting for them; the staff dashboard the projects in review."""
    from jusha.organisations import contributions as organisation
    from jusha.projects import sections

    organisation.detail_sections.register(sections.organisation_page, order=10)
    organisation.dashboard_sections.register(sections.organisation_dashboard, order=10)
    organisation.staff_sections.register(sections.staff_dashboard, order=10)
