"""manage.py crisis_evaluate [--model PATH] --data FILE: every figure of a model on labelled rows."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from jusha.crisis import model
from jusha.crisis.datafiles import DataFileError, read_labelled


def format_figures(figures: dict) -> list[str]:
    high = figures["high"]
    lines = [
        f"rows: {figures['n']}",
        f"weighted F1 (11 levels): {figures['weighted_f1']:.4f}",
        f"high risk (level ≥ 6, {high['support']} rows): precision {high['precision']:.4f}  recall {high['recall']:.4f}  F1 {high['f1']:.4f}",
        f"Brier score (p_high): {figures['brier']:.4f}",
        "confusion matrix (rows: true level 0–10, columns: predicted 0–10):",
        "      " + "".join(f"{n:>5}" for n in range(11)),
    ]
    lines += [f"  {n:>2}  " + "".join(f"{v:>5}" for v in row) for n, row in enumerate(figures["confusion"])]
    lines.append("calibration (p_high bin: rows, mean p_high, observed high-risk share):")
    lines += [f"  {c['bin']}: {c['n']:>4}  {c['mean_p']:.3f}  {c['observed']:.3f}" for c in figures["calibration"]]
    return lines


class Command(BaseCommand):
    help = "Evaluate a crisis model (or the rule layer) on a labelled file."

    def add_arguments(self, parser):
        parser.add_argument("--model", help="signed model file; the rule layer when left out")
        parser.add_argument("--data", required=True)
        parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")

    def handle(self, *args, **options):
        try:
            scorer = model.load(options["model"]) if options["model"] else model.Scorer()
            rows = read_labelled(options["data"])
        except (model.ModelFileError, DataFileError) as error:
            raise CommandError(str(error)) from error
        levels, p_high = scorer.levels([text for text, _ in rows])
        figures = model.evaluate_levels(levels, p_high, [label for _, label in rows])
        self.stdout.write(f"model: {scorer.header.get('version')} (threshold {getattr(scorer.pipeline, 'threshold', 'rules')})")
        for line in format_figures(figures):
            self.stdout.write(line)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
