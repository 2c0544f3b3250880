from django.core.management.base import BaseCommand, CommandError

from jusha.demo.loader import LOGINS, PASSWORD, DemoRefused, load_demo


class Command(BaseCommand):
    help = "Load the demo platform (only with JUSHA_DEMO=1 and DEBUG on). Does nothing if already loaded."

    def add_arguments(self, parser):
        parser.add_argument("--gifts", type=int, default=500)

    def handle(self, *args, gifts: int, **options):
        try:
            loaded = load_demo(gifts=gifts, out=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if not loaded:
            self.stdout.write("demo: already loaded")
        self.stdout.write("demo log-ins (password %s): %s" % (PASSWORD, ", ".join(LOGINS.values())))
