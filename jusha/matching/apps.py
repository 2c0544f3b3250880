from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "jusha.matching"
    label = "matching"
    verbose_name = _("Matching pools")

    def ready(self):
        from jusha.core import events
        from jusha.giving.schemas import donation_answer
        from jusha.matching import selectors, services

        # The gift path (docs/architecture.md gives the order of every subscriber).
        events.gift_opened.subscribe(services.on_gift_opened, order=10)
        events.gift_paid.subscribe(services.on_gift_paid, order=20)
        events.gift_refunded.subscribe(services.on_gift_refunded, order=20)
        donation_answer.register(selectors.donation_match_fields, order=10)
