"""`manage.py log_keygen`: create the log's signing key and the witness's cosigning key."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jusha.transparency.keys import key_write
from jusha.transparency.note import COSIGNATURE, ED25519, Signer, parse_skey


class Command(BaseCommand):
    help = "Create the transparency log's Ed25519 signing key and the witness key (files outside the repository)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Replace existing keys. A log with a new key is a new log to everyone who follows it.")

    def handle(self, *args, force: bool, **options):
        for path, name, alg, what in (
            (settings.JUSHA_LOG_KEY_PATH, settings.JUSHA_LOG_ORIGIN, ED25519, "log signing key"),
            (settings.JUSHA_WITNESS_KEY_PATH, settings.JUSHA_WITNESS_NAME, COSIGNATURE, "witness cosigning key"),
        ):
            path = Path(path)
            if key_write(path, Signer.generate(name, alg), overwrite=force):
                self.stdout.write(f"Created the {what} {path} (mode 0600).")
            elif not force:
                self.stdout.write(f"Kept the existing {what} {path} (--force replaces it).")
            signer = parse_skey(path.read_text())
            if signer.name != name:
                raise CommandError(f"{path} is a key for {signer.name!r}, not {name!r}: use --force to replace it.")
            self.stdout.write(f"  verifier key: {signer.verifier.vkey}")
        self.stdout.write("Publish the log's verifier key; app servers without the private key take it as JUSHA_LOG_VKEY.")
