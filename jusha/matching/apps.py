from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "jusha.matching"
    label = "matching"
    verbose_name = _("Matching pools")

    def ready(self):
        from jusha.campaigns import contributions as campaign
        from jusha.core import events
        from jusha.giving.schemas import donation_answer
        from jusha.ledger.checks import ledger_checks
        from jusha.matching import checks, selectors, services

        # The gift path (docs/architecture.md gives the order of every subscriber).
        events.gift_opened.subscribe(services.on_gift_opened, order=10)
        events.gift_paid.subscribe(services.on_gift_paid, order=20)
        events.gift_refunded.subscribe(services.on_gift_refunded, order=20)
        donation_answer.register(selectors.donation_match_fields, order=10)
        # A campaign's pages, answers and admin show its pools and what they matched.
        campaign.sums.register(selectors.campaign_sums, order=10)
        campaign.project_sums.register(selectors.campaign_project_sums, order=10)
        campaign.gift_matches.register(selectors.campaign_gift_matches, order=10)
        campaign.pools.register(selectors.campaign_pools, order=10)
        campaign.window_problems.register(selectors.campaign_window_problems, order=10)
        # A campaign published or edited: read the active pools afresh now and after commit.
        events.campaign_changed.subscribe(selectors.active_pools_changed_by, order=10, phase=events.IN_TRANSACTION)
        events.campaign_changed.subscribe(selectors.active_pools_changed_by, order=10, phase=events.AFTER_COMMIT)
        ledger_checks.register(checks.match_problems, order=700)
        _contribute_to_project_pages()


def _contribute_to_project_pages():
    """The project page shows what sponsors matched, beside the progress."""
    from jusha.matching import sections
    from jusha.projects import contributions as project

    project.detail_sections.register(sections.project_page, order=20)

    from jusha.giving import contributions as gift

    gift.receipt_sections.register(sections.receipt_page, order=20)
