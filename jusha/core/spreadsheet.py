"""CSV that spreadsheets open safely: no cell of ours becomes a formula.

Excel, WPS and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK("http://evil","x")`, `=cmd|' /C calc'!A0`), and a leading tab or carriage
return can hide such a start. As OWASP advises for CSV injection, a text cell that starts
with one of those characters is written with a single quote in front, so it shows as the
text it is. Numbers are written as numbers: a negative amount is a number, not a formula.
Every CSV export goes through `writer`.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a spreadsheet shows it: text that could start a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        return self._writer.writerows([safe_cell(value) for value in row] for row in rows)


def writer(out, **kwargs) -> _SafeWriter:
    """`csv.writer(out)`, with every cell passed through `safe_cell`."""
    return _SafeWriter(out, **kwargs)
