from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "jusha.reports"
    label = "reports"
    verbose_name = _("Reports (举报)")

    def ready(self):
        from jusha.organisations import contributions as organisation
        from jusha.projects import contributions as project
        from jusha.reports import kinds, sections

        # Projects and organisations are reportable from here; apps above register their own
        # kinds (social's share links, community's posts) in their ready().
        kinds.register_builtin()
        project.detail_sections.register(sections.project_page, order=90)
        organisation.detail_sections.register(sections.organisation_page, order=40)
        organisation.dashboard_sections.register(sections.organisation_dashboard, order=40)
        organisation.staff_sections.register(sections.staff_dashboard, order=40)
