"""`manage.py payments_reconcile --provider NAME FILE`: read a provider's statement (Alipay
账单 CSV, WeChat Pay 交易账单, Stripe balance transactions) against the journal. With
`--download --day YYYY-MM-DD` instead of FILE, fetch the day's statement from the provider
(what the worker does every hour for the days not yet reconciled)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jusha.core.errors import DomainError
from jusha.payments.reconcile import statement_read
from jusha.payments.rules import PARSERS
from jusha.payments.statements import statement_fetch_and_reconcile


class Command(BaseCommand):
    help = "Reconcile a payment provider's statement file against the journal, and report the differences."

    def add_arguments(self, parser):
        parser.add_argument("--provider", required=True, choices=sorted(PARSERS))
        parser.add_argument("--day", type=date.fromisoformat, help="The statement's day (YYYY-MM-DD), when the file does not say")
        parser.add_argument("--download", action="store_true", help="Fetch the day's statement from the provider (needs --day)")
        parser.add_argument("file", nargs="?")

    def handle(self, *args, provider, file=None, day=None, download=False, **options):
        if download:
            if day is None or file:
                raise CommandError("--download takes --day and no FILE")
            try:
                run = statement_fetch_and_reconcile(provider_name=provider, day=day)
            except DomainError as exc:
                raise CommandError(str(exc.detail)) from exc
        else:
            if not file:
                raise CommandError("give the statement FILE, or --download --day YYYY-MM-DD")
            try:
                with open(file, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
            try:
                run = statement_read(provider=provider, data=data, source=file, day=day)
            except DomainError as exc:
                raise CommandError(str(exc.detail)) from exc
        self.stdout.write(
            f"{provider} {run.day}: {run.lines} line(s), {run.matched} matched, payments {run.gross}, fees {run.fees}, "
            f"refunds {run.refunds} ({run.currency} minor units)"
        )
        open_count = 0
        for finding in run.findings.all():
            mark = "fixed" if finding.resolved else "OPEN "
            open_count += not finding.resolved
            self.stdout.write(f"  {mark} {finding.kind:22} {finding.out_trade_no} {finding.reference} "
                              f"ours={finding.ours} theirs={finding.theirs} {finding.note}".rstrip())
        if open_count:
            raise CommandError(f"payments_reconcile: {open_count} difference(s) to look into")
        self.stdout.write("payments_reconcile: ok")
