"""Open the gift of every sponsorship month now due (the worker runs this hourly; until
monthly pledges charge them, the donor pays each on their page)."""

from django.core.management.base import BaseCommand

from jusha.sponsorship.services import sponsorships_charge_due


class Command(BaseCommand):
    help = "Open the gift of every sponsorship month now due."

    def handle(self, *args, **options):
        self.stdout.write(f"sponsorship months opened: {sponsorships_charge_due()}")
