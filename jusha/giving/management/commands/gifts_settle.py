"""`manage.py gifts_settle`: settle the paid gifts due (giving.settle), once or until stopped.
The worker runs the same every half second; a giving day may run this as a dedicated
settler process (or several: they never take the same gift)."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jusha.giving.settle import gifts_settle_due


class Command(BaseCommand):
    help = "Settle paid gifts in batches (their match, log fact and what the higher apps record)."

    def add_arguments(self, parser):
        parser.add_argument("--forever", action="store_true", help="Keep settling until stopped (SIGTERM/SIGINT).")
        parser.add_argument("--interval", type=float, default=0.05, help="Seconds to wait when nothing is due.")
        parser.add_argument(
            "--gather", type=float, default=0.2,
            help="Seconds to wait after a batch that was not full, so that the next one gathers more gifts: "
                 "a batch's fixed statements are shared by more gifts, for at most this much more lag.",
        )

    def handle(self, *args, forever: bool, interval: float, gather: float, **options):
        self.running = True
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        total = 0
        while self.running:
            close_old_connections()
            count = gifts_settle_due()
            total += count
            if not forever:
                break
            # gifts_settle_due takes full batches while there are any: its last one was not full.
            time.sleep(gather if count else interval)
        self.stdout.write(f"gifts_settle: {total} gifts settled")

    def _stop(self, signum, frame):
        self.running = False
