"""`manage.py jusha_worker`: runs queued tasks and the periodic schedule, until stopped."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker

from jusha.core.schedule import PERIODIC_JOBS

logger = logging.getLogger("jusha.worker")


class Command(BaseCommand):
    help = "Run queued background tasks and the periodic schedule."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--once", action="store_true", help="Run due jobs and queued tasks once, then exit.")

    def handle(self, *args, interval: float, once: bool, **options):
        self.running = True
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        last_run: dict[str, float] = {}
        # Wake as often as the most frequent job asks (the log sequencer: twice a second);
        # queued tasks are still polled every `interval` seconds.
        tick = min([interval, *(every for _name, every, _path in PERIODIC_JOBS)])
        last_poll = -1e9
        self.stdout.write(f"jusha_worker: {len(PERIODIC_JOBS)} periodic jobs, polling every {interval}s")
        while self.running:
            close_old_connections()
            now = time.monotonic()
            for name, every, path in PERIODIC_JOBS:
                if now - last_run.get(name, -1e9) >= every:
                    last_run[name] = now
                    try:
                        result = import_string(path)()
                        if result:
                            logger.info("%s: %s", name, result)
                    except Exception:  # noqa: BLE001 - one failing job must not stop the others
                        logger.exception("periodic job %r failed", name)
            if now - last_poll < interval - tick / 2 and not once:
                time.sleep(tick)
                continue
            last_poll = now
            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=f"jusha-{id(self)}",
                excluded_queue_names=[],
            ).run()
            if once:
                break
            time.sleep(tick)

    def _stop(self, signum, frame):
        self.running = False
