"""CSV cells never start a formula in a spreadsheet (OWASP's CSV injection advice)."""

import csv
import io

import pytest

from jusha.core import spreadsheet

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_start_a_formula_gets_a_leading_quote(text):
    assert spreadsheet.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["200 warm packs", "", "a=b", "温暖包", "x-1", 12_000, -500, 0, None, 1.5])
def test_other_cells_and_numbers_are_left_as_they_are(value):
    assert spreadsheet.safe_cell(value) == value


def test_writer_neutralises_every_cell_and_reads_back_as_text():
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["id", *HOSTILE, -500])
    writer.writerows([[1, HOSTILE[0]], [2, "plain"]])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0] == ["id", *("'" + text for text in HOSTILE), "-500"]
    assert rows[1:] == [["1", "'" + HOSTILE[0]], ["2", "plain"]]


def test_every_csv_export_goes_through_the_safe_writer():
    """A new export that calls csv.writer (or DictWriter) itself would skip the neutralising."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "jusha"
    direct = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheet.py" and ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    ]
    assert direct == []
