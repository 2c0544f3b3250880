"""The public ledger CSV: spreadsheet apps open it without running anything in it."""

import csv
import datetime
import io

import pytest

from jusha.core.money import Money
from jusha.ledger.services import expenditure_record
from tests.factories import give, image_upload, make_member, make_project

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil","x")'


def test_ledger_csv_neutralises_formula_cells(client):
    project = make_project()
    line = project.budget_lines.first()
    type(line).objects.filter(pk=line.pk).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    line.refresh_from_db()
    give(project, 50_000)
    expenditure_record(
        project=project, budget_line=line, amount=Money(12_000, "CNY"), description=EVIL,
        spent_on=datetime.date(2026, 11, 2), voucher=image_upload(), actor=make_member(project.organisation, "finance"),
    )
    response = client.get(f"/ledger/{project.slug}/ledger.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    codes = [cell.rsplit("(", 1)[1].rstrip(")") for cell in header]  # "Kind (kind)" -> "kind"
    rows = [dict(zip(codes, cells)) for cells in reader]
    spent = next(row for row in rows if row["kind"] == "expenditure")
    assert spent["description"] == "'" + EVIL
    assert spent["budget_line"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert spent["amount"] == "12000"
    for row in rows:  # no cell at all starts a formula
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values()), row
    assert "\n=" not in text and ",=" not in text


def test_ledger_csv_has_headers_and_kind_names_in_the_readers_language(client):
    project = make_project()
    give(project, 50_000)
    response = client.get(f"/ledger/{project.slug}/ledger.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert "金额（分） (amount)" in header and "类型 (kind)" in header
    gift = dict(zip(header, next(reader)))
    assert gift["类型 (kind)"] == "gift" and gift["金额（分） (amount)"] == "50000"  # machines keep codes and fen
    assert gift["类型名称 (kind_label)"] == "收到捐款"
