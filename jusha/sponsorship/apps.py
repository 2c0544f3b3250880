from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SponsorshipConfig(AppConfig):
    name = "jusha.sponsorship"
    label = "sponsorship"
    verbose_name = _("One-to-one sponsorship")

    def ready(self):
        from jusha.core import events
        from jusha.ledger.checks import ledger_checks
        from jusha.pledges import targets
        from jusha.sponsorship import checks, pledging, refunds, services

        # Months after the first are charged by a monthly pledge whose target is the sponsorship.
        targets.target_register(pledging.KIND, resolve=pledging.target_resolve, label=pledging.target_label,
                                context=pledging.target_context)

        # The gift path (docs/architecture.md gives the order of every subscriber): a gift
        # opened for a sponsorship is one of its months; paid, it is earmarked to the
        # sponsorship's account in giving's transaction; refunded, the account gives it up.
        events.gift_opened.subscribe(services.on_gift_opened, order=50, phase=events.IN_TRANSACTION)
        events.gift_paid.subscribe(services.on_gift_paid, order=50, phase=events.IN_TRANSACTION)
        events.gift_refunded.subscribe(refunds.on_gift_refunded, order=50, phase=events.IN_TRANSACTION)
        # What the provider keeps of a month changed after it was paid (a statement, a fee given back).
        events.gift_fee_changed.subscribe(refunds.on_gift_fee_changed, order=50, phase=events.IN_TRANSACTION)
        ledger_checks.register(checks.sponsorship_problems, order=750)
        _contribute_to_receipts()


def _contribute_to_receipts():
    """A month's receipt links on to the sponsorship page."""
    from jusha.giving import contributions as gift
    from jusha.sponsorship import sections

    gift.receipt_sections.register(sections.receipt_page, order=55)

    from jusha.organisations import contributions as organisation

    organisation.dashboard_sections.register(sections.organisation_dashboard, order=45)
