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
        events.gift_paid.subscribe(tasks.on_gift_paid, order=10, phase=events.AFTER_COMMIT)
