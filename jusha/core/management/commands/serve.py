"""`manage.py serve`: Django's development server (with static files) whose last words
before it serves are the address banner, after its own start-up lines, so that the line a
person needs is the last one on the screen (`make run`)."""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand


class Command(RunserverCommand):
    help = "The development server, ending its start-up with the address banner."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--banner", default="", help="The line printed last before serving.")

    def handle(self, *args, **options):
        self.banner = options.get("banner", "")
        return super().handle(*args, **options)

    def on_bind(self, server_port):
        super().on_bind(server_port)
        if self.banner:
            self.stdout.write(self.banner.replace("{port}", str(server_port)))
        self.stdout.flush()
