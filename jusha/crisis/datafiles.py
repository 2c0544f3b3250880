"""Reading labelled and unlabelled post files (TSV or CSV; UTF-8 or GB18030), streaming.

Errors name row numbers, never the text of a post.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class DataFileError(Exception):
    pass


def _encoding(path: Path) -> str:
    with path.open("rb") as fh:
        sample = fh.read(1 << 16)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            sample.decode(encoding)
            return encoding
        except UnicodeDecodeError as error:
            if len(sample) == 1 << 16 and error.start > len(sample) - 4:
                return encoding  # a character cut at the sample's end
    raise DataFileError("the file is neither UTF-8 nor GB18030 text")


def open_rows(path: str | Path, column: str = "comment"):
    """(reader of dict rows, delimiter) for a TSV or CSV with a header naming `column`."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"no such file: {path}")
    encoding = _encoding(path)
    fh = path.open(encoding=encoding, errors="strict", newline="")
    first = fh.readline()
    delimiter = "\t" if "\t" in first else ","
    header = next(csv.reader([first], delimiter=delimiter))
    if column not in header:
        fh.close()
        raise DataFileError(f"the header has no {column!r} column (found: {', '.join(h[:20] for h in header)})")
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.DictReader(fh, fieldnames=header, delimiter=delimiter, quoting=quoting)
    return fh, reader


def read_labelled(path: str | Path) -> list[tuple[str, int]]:
    """All (comment, myLabel) rows; refuses the file, naming the bad rows, if any label is wrong."""
    fh, reader = open_rows(path)
    rows, bad = [], []
    try:
        if "myLabel" not in (reader.fieldnames or []):
            raise DataFileError("the header has no 'myLabel' column")
        for number, row in enumerate(reader, start=2):  # line numbers, the header being line 1
            raw = (row.get("myLabel") or "").strip()
            text = row.get("comment") or ""
            try:
                label = int(raw)
            except ValueError:
                bad.append((number, "missing" if not raw else "not a whole number"))
                continue
            if not 0 <= label <= 10:
                bad.append((number, f"label {label} outside 0–10"))
                continue
            if not text.strip():
                bad.append((number, "empty comment"))
                continue
            rows.append((text, label))
    except UnicodeDecodeError as error:
        raise DataFileError(f"undecodable text after byte {error.start}") from error
    finally:
        fh.close()
    if bad:
        listed = "; ".join(f"line {n}: {why}" for n, why in bad[:20])
        more = f" (and {len(bad) - 20} more)" if len(bad) > 20 else ""
        raise DataFileError(f"{len(bad)} bad row(s) in {Path(path).name}: {listed}{more}")
    if not rows:
        raise DataFileError(f"{Path(path).name} has no labelled rows")
    return rows
