from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "jusha.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self):
        from jusha.core import events
        from jusha.community import services

        # The gift path (docs/architecture.md gives the order of every subscriber).
        events.gift_opened.subscribe(services.on_gift_opened, order=30)
        events.gift_paid.subscribe(services.on_gift_changed, order=30)
        events.gift_refunded.subscribe(services.on_gift_changed, order=30)
        events.gift_paid.subscribe(services.on_gift_paid_feed, order=40)
        events.project_updated.subscribe(services.on_project_update, order=30)

        from jusha.giving import contributions as gift

        gift.gift_context_checks.register(services.gift_context_check, order=10)

        from jusha.community import sections
        from jusha.projects import contributions as project

        project.detail_sections.register(sections.project_page, order=35)

        from jusha.community import reporting

        # Team pages, team updates, circle posts and comments in the platform's one reports model.
        reporting.register_kinds()
