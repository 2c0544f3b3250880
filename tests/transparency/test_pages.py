"""The pictures: the transparency page, 'verify my donation', the receipt's log panel,
and the fund-flow Sankey with its table."""

import datetime
import re

import pytest

from jusha.core.money import Money
from jusha.giving.services import donation_refund
from jusha.ledger.services import expenditure_record
from jusha.transparency import sankey, services
from jusha.transparency.keys import log_verifier
from tests.factories import give, image_upload, make_member, make_project

pytestmark = pytest.mark.django_db


def test_transparency_page_explains_how_to_audit(client, project):
    give(project, 100)
    services.log_sequence()
    page = client.get("/log/").content.decode()
    assert log_verifier().vkey in page and "jusha-audit.py" in page and "/log/verify/" in page
    assert 'data-testid="log-size">1<' in page and "jusha.test/log\n1\n" in page
    assert "def main(prefix, vkey" in page  # the short script, readable on the page
    assert 'href="/log/"' in client.get("/").content.decode()  # the footer links here
    script = client.get("/log/audit.py")
    assert script["Content-Disposition"].endswith('jusha-audit.py"') and b"Ed25519PublicKey" in script.content


def test_receipt_panel_goes_from_queued_to_checked(client, project):
    gift = give(project, 5000, email="donor@example.org")
    page = client.get(f"/donations/{gift.pk}/").content.decode()
    assert 'data-testid="log-panel"' in page and f'hx-get="/log/receipts/{gift.pk}/panel"' in page
    assert "being added to Jusha's public log" in page
    services.log_sequence()
    panel = client.get(f"/log/receipts/{gift.pk}/panel").content.decode()
    assert "Checked just now: your gift is entry number 0" in panel and "hx-get" not in panel
    assert "carries a valid signature" in panel and gift.receipt_number in panel and "¥50.00" in panel and f"“{gift.project.title}”" in panel and "fen" not in panel.split("<pre")[0]
    assert f"/log/receipts/{gift.pk}.tlog-proof" in panel and f"--receipt {gift.receipt_number} --amount 5000" in panel
    finance = make_member(project.organisation, "finance")
    donation_refund(donation=gift, amount=Money(700, "CNY"), reason="asked", actor=finance)
    page = client.get(f"/donations/{gift.pk}/").content.decode()
    assert "A refund of ¥7.00 is being added to the log." in page
    services.log_sequence()
    page = client.get(f"/donations/{gift.pk}/").content.decode()
    assert "A refund of ¥7.00 is entry number 1." in page
    assert 'data-testid="log-panel"' not in client.get(f"/donations/{give(project, 100, result=None).pk}/").content.decode()


def test_verify_my_donation(client, project):
    gift = give(project, 2500)
    assert client.get("/log/verify/").status_code == 200
    queued = client.get("/log/verify/", {"receipt": gift.receipt_number})
    assert queued.status_code == 200 and "being added" in queued.content.decode()
    services.log_sequence()
    found = client.get("/log/verify/", {"receipt": f" {gift.receipt_number} "}).content.decode()
    assert 'data-testid="log-verified"' in found and "entry number 0" in found
    missing = client.get("/log/verify/", {"receipt": "JS2026-NOPE"})
    assert missing.status_code == 404 and 'data-testid="log-missing"' in missing.content.decode()
    assert "<script" not in client.get("/log/verify/", {"receipt": "<script>x</script>"}).content.decode().split("</header>")[1]


def test_fund_flow_for_a_project_and_the_platform(client, project):
    give(project, 5_000)        # under ¥100
    give(project, 20_000)       # ¥100 to ¥1,000
    big = give(project, 150_000)  # ¥1,000 and more
    finance = make_member(project.organisation, "finance")
    donation_refund(donation=big, amount=Money(10_000, "CNY"), reason="asked", actor=finance)
    line = project.budget_lines.first()
    expenditure_record(project=project, budget_line=line, amount=Money(60_000), description="Warm packs x 120",
                       spent_on=datetime.date(2026, 1, 5), voucher=image_upload(), actor=finance)
    other = make_project(project.organisation)
    give(other, 3_000)
    page = client.get(f"/log/flow/{project.slug}/").content.decode()
    assert 'data-testid="sankey"' in page and "<path" in page and 'data-testid="flow-table"' in page
    table = page.split('data-testid="flow-table"')[1]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", table)
    flows = {(a, b): c for a, b, c in rows}
    assert flows[("Gifts under ¥100", project.title)] == "¥50.00"
    assert flows[("Gifts of ¥1,000 or more", project.title)] == "¥1,400.00"  # net of the refund
    assert flows[(project.title, "Warm packs")] == "¥600.00"
    assert flows[(project.title, "Held, not yet spent")] == "¥1,050.00"
    assert flows[("Warm packs", "Warm packs x 120 (5 Jan 2026)")] == "¥600.00"
    assert other.title not in page.split("</h1>")[1]
    platform = client.get("/log/flow/").content.decode()
    assert project.title in platform and other.title in platform and "¥30.00" in platform
    assert f'href="/log/flow/{project.slug}/"' in platform
    assert client.get(f"/log/flow/{make_project(status='draft').slug}/").status_code == 404


def test_empty_fund_flow(client):
    assert "No money has moved yet." in client.get("/log/flow/").content.decode()


def test_sankey_layout_is_proportional_and_stacked():
    drawn = sankey.layout(
        [(("a",), "A", 0), (("b",), "B", 0), (("p",), "P", 1), (("x",), "X", 2), (("y",), "Y", 2), (("z",), "unused", 2)],
        [(("a",), ("p",), 300), (("b",), ("p",), 100), (("p",), ("x",), 250), (("p",), ("y",), 150), (("a",), ("z",), 0)],
        width=600,
    )
    nodes = {n.label: n for n in drawn.nodes}
    assert "unused" not in nodes and len(drawn.links) == 4
    assert nodes["P"].value == 400 and abs(nodes["A"].height / nodes["B"].height - 3) < 0.05
    assert nodes["B"].y > nodes["A"].y + nodes["A"].height and nodes["X"].x == nodes["Y"].x > nodes["P"].x
    assert all(link.path.startswith("M") and link.width >= 1 for link in drawn.links)
