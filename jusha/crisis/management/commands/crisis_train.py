"""manage.py crisis_train --data FILE... [--val FILE] [--output PATH]: fit and save a signed model."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jusha.crisis import model
from jusha.crisis.datafiles import DataFileError, read_labelled


class Command(BaseCommand):
    help = "Train the crisis risk model on labelled TSV/CSV (columns comment, myLabel) and save it signed."

    def add_arguments(self, parser):
        parser.add_argument("--data", nargs="+", required=True, help="labelled training file(s)")
        parser.add_argument("--val", help="held-out labelled file: chooses C and the high-risk threshold")
        parser.add_argument("--output", help="where to save (default: settings.JUSHA_CRISIS_MODEL_PATH)")
        parser.add_argument("--refit", action="store_true", help="after choosing settings on --val, fit again on training and validation rows")
        parser.add_argument("--target-recall", type=float, default=0.95, help="high-risk recall the threshold must keep on held-out rows")

    def handle(self, *args, **options):
        output = options["output"] or settings.JUSHA_CRISIS_MODEL_PATH
        if not output:
            raise CommandError("no --output and no JUSHA_CRISIS_MODEL_PATH setting")
        if not 0 < options["target_recall"] <= 1:
            raise CommandError("--target-recall must be in (0, 1]")
        try:
            rows, seen = [], set()
            for path in options["data"]:
                for text, label in read_labelled(path):
                    if text not in seen:  # overlapping files: the first label of a text wins
                        seen.add(text)
                        rows.append((text, label))
            val_rows = read_labelled(options["val"]) if options["val"] else None
        except DataFileError as error:
            raise CommandError(str(error)) from error
        if val_rows:
            held_out = [(text, label) for text, label in val_rows if text not in seen]
            if len(held_out) < len(val_rows):
                # Rows the model has seen would flatter the figures and loosen the threshold.
                self.stderr.write(f"note: {len(val_rows) - len(held_out)} validation row(s) also appear in the training data; they are left out of validation")
            if not held_out:
                raise CommandError("every validation row also appears in the training data")
            val_rows = held_out
        if len({label for _, label in rows}) < 2:
            raise CommandError("the training data needs at least two different levels")
        pipeline, figures = model.train(rows, val_rows=val_rows, target_recall=options["target_recall"], refit=options["refit"])
        header = model.save(pipeline, output, data_fingerprint=model.fingerprint(rows), figures=figures, rows=len(rows))
        self.stdout.write(f"trained on {len(rows)} rows; threshold p_high ≥ {pipeline.threshold:.2f}; saved {output}")
        self.stdout.write(f"data fingerprint {header['data_fingerprint']}")
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
