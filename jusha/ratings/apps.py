from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "jusha.ratings"
    label = "ratings"
    verbose_name = _("Credibility ratings")

    def ready(self):
        from jusha.giving import contributions as gift
        from jusha.organisations import contributions as organisation
        from jusha.projects import contributions as project
        from jusha.ratings import sections, selectors

        # The grade where donors choose: every project card, the project and organisation
        # pages, the project list's filter and sort; the donor's question after delivery.
        project.card_figures.register(selectors.card_grades, order=40)
        project.list_options.register(selectors.list_options, order=10)
        project.detail_sections.register(sections.project_page, order=45)
        organisation.detail_sections.register(sections.organisation_page, order=5)
        organisation.dashboard_sections.register(sections.organisation_dashboard, order=50)
        organisation.staff_sections.register(sections.staff_dashboard, order=50)
        gift.receipt_sections.register(sections.receipt_page, order=50)
