"""manage.py crisis_rotate_keys: re-encrypt handles and URLs with the newest JUSHA_CRISIS_KEYS key."""

from django.core.management.base import BaseCommand

from jusha.crisis import services


class Command(BaseCommand):
    help = "Re-encrypt every crisis handle and URL with the first key of JUSHA_CRISIS_KEYS."

    def handle(self, *args, **options):
        self.stdout.write(f"{services.rotate_keys()} rows re-encrypted")
