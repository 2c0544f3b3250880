"""Open data: IATI 2.03 activity and organisation files validate against the IATI schemas,
360Giving packages against the 360Giving schema (both from ../shared/data, skipped with a
message when absent), the whole public ledger as CSV, the /data/ page and the links on
each organisation's page."""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from lxml import etree

from jusha.core.money import Money
from jusha.ledger.services import expenditure_record
from tests.factories import give, image_upload, make_member, make_org, make_pool, make_project, make_user
from tests.gifts import refund

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
IATI = SHARED / "iati"
GIVING = SHARED / "360giving"


def iati_schema(name: str):
    if not (IATI / name).exists():
        pytest.skip(f"IATI schemas not found at {IATI} (../shared/data/iati): validation skipped")
    return etree.XMLSchema(etree.parse(str(IATI / name)))


def giving_validator():
    if not (GIVING / "360-giving-package-schema.json").exists():
        pytest.skip(f"360Giving schemas not found at {GIVING} (../shared/data/360giving): validation skipped")
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    package = json.loads((GIVING / "360-giving-package-schema.json").read_text())
    grant = json.loads((GIVING / "360-giving-schema.json").read_text())
    # The schemas name their dialect as "http://json-schema.org/draft/2020-12/schema" (http):
    # draft 2020-12 is meant, and said here.
    resource = Resource(contents=grant, specification=DRAFT202012)
    registry = Registry().with_resources([(grant["$id"], resource)] + [
        (ref, resource) for ref in _refs(package) if ref.endswith("360-giving-schema.json")
    ])
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.fixture
def books():
    """An organisation with a project that raised, refunded, was matched and spent; and a
    completed project with a final report."""
    org = make_org(name="暖冬 Foundation")
    project = make_project(org, title="独居老人暖冬包\x0b <计划> & 更多")  # a control character XML cannot hold
    pool = make_pool(sponsor=make_org(name="配捐 Company"))
    gift = give(project, 50_000)
    give(project, 30_000)
    refund(gift, 10_000, actor=make_user(is_staff=True))
    expenditure_record(
        project=project, budget_line=project.budget_lines.first(), amount=Money(12_000, "CNY"), description="暖包 x40",
        spent_on=datetime.date(2026, 11, 2), voucher=image_upload(), actor=make_member(org, "finance"),
    )
    done = make_project(org, status="completed")
    return {"org": org, "project": project, "done": done, "pool": pool}


def test_iati_activities_validate_and_carry_the_money(client, books):
    schema = iati_schema("iati-activities-schema.xsd")
    response = client.get(f"/data/iati/{books['org'].slug}/activities.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    schema.assertValid(document)
    activities = document.findall("iati-activity")
    assert len(activities) == 2
    first = next(a for a in activities if a.findtext("iati-identifier").endswith(books["project"].slug))
    assert first.find("title/narrative").text == "独居老人暖冬包 <计划> & 更多"  # the control character dropped
    kinds = [(t.find("transaction-type").get("code"), t.findtext("value")) for t in first.findall("transaction")]
    incoming = [v for code, v in kinds if code == "1"]
    assert "800.00" in incoming or "800" in incoming  # 500 + 300 yuan on one day
    assert any(v.startswith("-100") for v in incoming)  # the refund, as negative incoming funds
    assert ("4", "120.00") in kinds  # the expenditure
    assert first.find("budget/value").text == f"{books['project'].goal / 100:.2f}"
    done = next(a for a in activities if a.findtext("iati-identifier").endswith(books["done"].slug))
    assert done.find("activity-status").get("code") == "4"
    assert "all delivered" in done.find("result/description/narrative").text


def test_a_sponsors_pool_is_an_activity_with_disbursements(client, books):
    schema = iati_schema("iati-activities-schema.xsd")
    pool = books["pool"]
    donor_project = make_project(make_org())
    give(donor_project, 20_000)
    document = etree.fromstring(client.get(f"/data/iati/{pool.sponsor.slug}/activities.xml").content)
    schema.assertValid(document)
    [activity] = document.findall("iati-activity")
    disbursements = [t for t in activity.findall("transaction") if t.find("transaction-type").get("code") == "3"]
    assert disbursements and all(t.find("receiver-org") is not None for t in disbursements)


def test_iati_organisation_file_validates(client, books):
    schema = iati_schema("iati-organisations-schema.xsd")
    response = client.get(f"/data/iati/{books['org'].slug}/organisation.xml")
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    schema.assertValid(document)
    assert document.findtext("iati-organisation/organisation-identifier").endswith(books["org"].uscc)
    assert document.find("iati-organisation/total-expenditure/value").text == "120.00"


def test_giving360_package_of_a_sponsor_validates(client, books):
    validator = giving_validator()
    project = books["project"]
    give(project, 20_000)  # matched 1:1 by the active pool
    response = client.get(f"/data/360giving/{books['pool'].sponsor.slug}.json")
    assert response.status_code == 200, response.content
    package = response.json()
    errors = sorted(validator.iter_errors(package), key=lambda e: e.path)
    assert not errors, [e.message for e in errors]
    [grant] = package["grants"]
    assert grant["amountAwarded"] > 0 and grant["currency"] == "CNY"
    assert grant["recipientOrganization"][0]["name"] == project.organisation.name


def test_an_organisation_that_made_no_grants_answers_404(client, books):
    response = client.get(f"/data/360giving/{books['org'].slug}.json")
    assert response.status_code == 404 and response.json()["code"] == "no_grants"
    assert client.get("/data/360giving/no-such-org.json").status_code == 404
    assert client.get("/data/iati/no-such-org/activities.xml").status_code == 404
    unverified = make_org(verified=False)
    assert client.get(f"/data/iati/{unverified.slug}/activities.xml").status_code == 404


def test_drafts_never_reach_open_data(client, books):
    draft = make_project(books["org"], status="draft", title="Secret draft")
    body = client.get(f"/data/iati/{books['org'].slug}/activities.xml").content.decode()
    assert draft.slug not in body and "Secret draft" not in body


def test_the_whole_public_ledger_as_csv(client, books):
    draft = make_project(books["org"], status="draft")
    response = client.get("/data/ledger.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["project"] for r in rows} >= {books["project"].slug}
    assert draft.slug not in {r["project"] for r in rows}
    kinds = [r["kind"] for r in rows if r["project"] == books["project"].slug]
    assert kinds.count("gift") == 2 and "refund" in kinds and "expenditure" in kinds
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)  # oldest first
    assert 'rel="license"' in response["Link"]


def test_the_data_page_and_the_organisation_page_link_the_files(client, books, settings):
    page = client.get("/data/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/data/ledger.csv" in html and f"/data/iati/{books['org'].slug}/activities.xml" in html
    assert settings.JUSHA_DATA_LICENCE_URL in html and "CC-BY-4.0" in html
    organisation_page = client.get(f"/orgs/{books['pool'].sponsor.slug}/").content.decode()
    assert f"/data/iati/{books['pool'].sponsor.slug}/organisation.xml" in organisation_page
    assert f"/data/360giving/{books['pool'].sponsor.slug}.json" in organisation_page  # it made grants
    plain = client.get(f"/orgs/{books['org'].slug}/").content.decode()
    assert "/data/360giving/" not in plain and "/data/iati/" in plain


def test_an_organisation_without_public_projects_has_no_activity_file(client):
    org = make_org()
    make_project(org, status="draft")
    response = client.get(f"/data/iati/{org.slug}/activities.xml")
    assert response.status_code == 404 and response.json()["code"] == "no_activities"
    assert client.get(f"/data/iati/{org.slug}/organisation.xml").status_code == 200
    assert f"/data/iati/{org.slug}/activities.xml" not in client.get("/data/").content.decode()


def test_giving360_package_of_the_platform_holds_its_cause_fund_grants(client):
    """The platform's cause funds (jusha/funds) are a funder too: each grant its public rule
    made is a 360Giving grant under the organisation that holds the funds."""
    from django.test import TestCase

    from jusha.funds.services import fund_grant, fund_open
    from jusha.organisations.models import Membership

    validator = giving_validator()
    platform = make_org(name="聚沙平台")
    staff = make_user("fund-staff@example.org", is_staff=True)
    Membership.objects.create(organisation=platform, user=staff, role="owner")
    fund = fund_open(cause="children", organisation=platform, actor=staff)
    assert client.get(f"/data/360giving/{platform.slug}.json").status_code == 404  # no grant yet
    need = make_project(goal=50_000, cause="children")
    give(fund.project, 30_000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        [grant] = fund_grant(fund=fund)
    response = client.get(f"/data/360giving/{platform.slug}.json")
    assert response.status_code == 200, response.content
    package = response.json()
    errors = sorted(validator.iter_errors(package), key=lambda e: e.path)
    assert not errors, [e.message for e in errors]
    [published] = package["grants"]
    assert published["amountAwarded"] == 300 and published["currency"] == "CNY"
    assert published["recipientOrganization"][0]["name"] == need.organisation.name
    assert published["fundingOrganization"][0]["name"] == "聚沙平台"
    assert published["id"].endswith(f"fund-{grant.pk}")
