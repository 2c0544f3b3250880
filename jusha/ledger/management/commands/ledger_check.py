from django.core.management.base import BaseCommand, CommandError

from jusha.ledger.checks import ledger_notes, ledger_problems


class Command(BaseCommand):
    help = "Prove that the journal balances and every gift, refund and expenditure is in it exactly once."

    def handle(self, *args, **options):
        for notes in ledger_notes.collect():
            for note in notes:
                self.stdout.write(note)
        problems = ledger_problems()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"ledger_check: {len(problems)} problem(s)")
        self.stdout.write("ledger_check: ok")
