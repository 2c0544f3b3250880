"""`manage.py log_monitor URL`: follow a Jusha log (or any C2SP tiled log) and raise an
alarm on a fork, a rewrite or a bad signature. Run it from cron; it keeps what it saw."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError

from jusha.transparency.monitor import Alarm
from jusha.transparency.note import NoteError
from jusha.transparency.remote import FetchError
from jusha.transparency.services import log_monitor_run

ALARM_EXIT = 2


class Command(BaseCommand):
    help = "Follow a transparency log: verify each new checkpoint, re-hash new entries, alarm on forks and rewrites."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the log's prefix, e.g. https://jusha.example/log")
        parser.add_argument("--key", help="the log's verifier key; without it, the key the log serves is pinned on first use")
        parser.add_argument("--email", default=settings.JUSHA_LOG_MONITOR_EMAIL, help="also send alarms to this address")

    def handle(self, *args, url: str, key: str | None, email: str, **options):
        try:
            self.stdout.write("OK: " + log_monitor_run(url=url, vkey=key))
        except Alarm as alarm:
            message = f"ALARM ({alarm.kind}) for the log at {url}: {alarm}"
            if email:
                send_mail(f"[Jusha log monitor] {alarm.kind} at {url}", message, None, [email])
            raise CommandError(message, returncode=ALARM_EXIT) from alarm
        except (FetchError, NoteError) as exc:
            raise CommandError(f"could not follow {url}: {exc}") from exc
