"""manage.py crisis_import FILE --source NAME: posts from CSV, TSV or JSON lines (UTF-8 or GB18030).

Columns/keys: id, text (or comment), posted_at, author, url (optional). The whole file is
checked first: one bad row refuses the file (rows named by number, never quoted), so nothing
is half-imported. Posts the source sent before are counted as duplicates.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jusha.core.errors import DomainError
from jusha.crisis import services
from jusha.crisis.datafiles import DataFileError, _encoding, open_rows
from jusha.crisis.models import Source


def read_posts(path: Path) -> list[dict]:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        encoding = _encoding(path)
        posts = []
        with path.open(encoding=encoding) as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        posts.append(json.loads(line))
                    except ValueError as error:
                        raise DataFileError(f"line {number}: not a JSON object") from error
        return posts
    fh, reader = open_rows(path, column="id")
    with fh:
        return [{**row, "text": row.get("text") or row.get("comment")} for row in reader]


class Command(BaseCommand):
    help = "Import crisis posts from a file for one source."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="the source's name")

    def handle(self, *args, **options):
        source = Source.objects.filter(name=options["source"]).first()
        if source is None:
            raise CommandError(f"no source named {options['source']!r} (a crisis supervisor creates it)")
        try:
            posts = read_posts(Path(options["file"]))
        except (DataFileError, UnicodeDecodeError, OSError) as error:
            raise CommandError(f"cannot read {options['file']}: {error}") from error
        bad = [error for index, raw in enumerate(posts) for _post, error in [services.clean_post(raw, index)] if error]
        if bad:
            raise CommandError(f"{len(bad)} bad post(s), nothing imported: " + "; ".join(bad[:20]))
        totals = {"created": 0, "duplicates": 0, "cases_opened": 0}
        for start in range(0, len(posts), services.MAX_BATCH):
            try:
                result = services.posts_ingest(source=source, posts=posts[start : start + services.MAX_BATCH])
            except DomainError as error:
                raise CommandError(str(error.detail)) from error
            for key in totals:
                totals[key] += result[key]
        self.stdout.write(f"{len(posts)} posts read: {totals['created']} new, {totals['duplicates']} duplicates, {totals['cases_opened']} cases opened")
