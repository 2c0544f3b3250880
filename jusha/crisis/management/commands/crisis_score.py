"""manage.py crisis_score [--model PATH] --input FILE --output FILE: stream a file of posts through the model."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from jusha.crisis import model
from jusha.crisis.datafiles import DataFileError, open_rows
from jusha.crisis.stream import score_file


class Command(BaseCommand):
    help = "Score a TSV/CSV with a `comment` column; write a TSV of row, level, p_high in input order."

    def add_arguments(self, parser):
        parser.add_argument("--model", help="signed model file; settings.JUSHA_CRISIS_MODEL_PATH, else the rule layer")
        parser.add_argument("--input", required=True)
        parser.add_argument("--output", required=True, help="TSV to write ('-' for standard output)")
        parser.add_argument("--workers", type=int, default=0, help="processes (default: up to 2 cores)")
        parser.add_argument("--chunk", type=int, default=4000)

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            scorer = model.load(options["model"]) if options["model"] else model.scorer_from_settings()
            fh, reader = open_rows(options["input"])
        except (model.ModelFileError, DataFileError) as error:
            raise CommandError(str(error)) from error
        if options["chunk"] < 1:
            raise CommandError("--chunk must be at least 1")
        out = sys.stdout if options["output"] == "-" else open(options["output"] + ".part", "w", encoding="utf-8", newline="")
        try:
            count = score_file(scorer, reader, out, chunk=options["chunk"], workers=options["workers"] or None)
        except UnicodeDecodeError as error:
            raise CommandError(f"undecodable text after byte {error.start} of the input; nothing written") from error
        finally:
            fh.close()
            if out is not sys.stdout:
                out.close()
        if out is not sys.stdout:
            import os

            os.replace(options["output"] + ".part", options["output"])  # no half-written output
        elapsed = time.monotonic() - started
        self.stderr.write(f"scored {count} posts in {elapsed:.2f} s ({count / max(elapsed, 1e-9):,.0f} posts/s) with {'the trained model' if scorer.trained else 'the rule layer'}")
