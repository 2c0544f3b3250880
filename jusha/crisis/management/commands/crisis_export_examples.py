"""manage.py crisis_export_examples FILE: responders' corrected levels as a training TSV (comment, myLabel)."""

from django.core.management.base import BaseCommand

from jusha.crisis.models import LabelledExample


class Command(BaseCommand):
    help = "Write the responders' corrected levels as labelled rows for crisis_train."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        count = 0
        with open(options["file"], "w", encoding="utf-8", newline="") as out:
            out.write("comment\tmyLabel\n")
            for text, level in LabelledExample.objects.order_by("pk").values_list("text", "level").iterator():
                out.write(" ".join(text.split()) + f"\t{level}\n")
                count += 1
        self.stdout.write(f"{count} labelled examples written")
