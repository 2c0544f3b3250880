from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "jusha.matching"
    label = "matching"
    verbose_name = _("Matching pools")

    def ready(self):
        from jusha.campaigns import contributions as campaign
        from jusha.core.events import AFTER_COMMIT, IN_TRANSACTION, campaign_changed
        from jusha.ledger.checks import ledger_checks
        from jusha.matching import checks, selectors

        # A campaign's pages, answers and admin show its pools and what they matched.
        campaign.sums.register(selectors.campaign_sums, order=10)
        campaign.project_sums.register(selectors.campaign_project_sums, order=10)
        campaign.gift_matches.register(selectors.campaign_gift_matches, order=10)
        campaign.pools.register(selectors.campaign_pools, order=10)
        campaign.window_problems.register(selectors.campaign_window_problems, order=10)
        # A campaign published or edited: read the active pools afresh now and after commit.
        campaign_changed.subscribe(selectors.active_pools_changed_by, order=10, phase=IN_TRANSACTION)
        campaign_changed.subscribe(selectors.active_pools_changed_by, order=10, phase=AFTER_COMMIT)
        ledger_checks.register(checks.match_problems, order=700)
