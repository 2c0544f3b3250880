"""One consistent story of every fen (issue 14, item 2): gifts raised + sponsors' matches
= received; received - spent - fees = balance (held, of which some is set aside for
delivery batches). The project page, the public ledger (page and API), the fund-flow
picture, the project API and the receipts tell the same figures for every demo project,
and those figures are the journal's."""

import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils.translation import gettext

from jusha.core.money import Money
from jusha.giving.flow import fund_flow
from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from jusha.matching.models import Match
from jusha.projects.models import Project
from jusha.projects.selectors import ProjectSums, is_public

pytestmark = pytest.mark.django_db


def journal_figures(project) -> dict:
    """The model computed straight from the journal's entries, not from running totals."""
    by_kind = defaultdict(int)
    for kind, amount in JournalEntry.objects.filter(project=project).values_list("kind", "amount"):
        by_kind[kind] += amount
    return ProjectSums(
        gifts=by_kind["gift"], refunds=by_kind["refund"], spent=by_kind["expenditure"], fees=by_kind["fee"],
        committed=by_kind["commitment"], released=by_kind["release"], matched=by_kind["match"] - by_kind["match_return"],
        granted=by_kind["grant"], granted_out=by_kind["grant_out"],  # cause funds' grants (issue 17)
    ).figures()


def page_figures(html: str) -> dict:
    return dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html))


def shown(figures: dict, currency: str) -> dict:
    """What a page shows of the figures (the zero ones it may leave out)."""
    return {name: Money(value, currency).display() for name, value in figures.items() if name != "available"}


@pytest.fixture
def demo(settings):
    settings.JUSHA_DEMO, settings.DEBUG = True, True
    call_command("load_demo", gifts=60)
    return [p for p in Project.objects.order_by("pk") if is_public(p)]


def test_every_page_and_answer_tells_the_journals_figures_for_the_demo_projects(demo, client):
    assert len(demo) >= 5
    matched_somewhere = spent_somewhere = held_for_batches_somewhere = False
    for project in demo:
        expected = journal_figures(project)
        assert expected["received"] == expected["raised"] + expected["matched"] + expected["granted"]
        assert expected["balance"] == expected["received"] - expected["spent"] - expected["fees"] - expected["granted_out"]
        matched_somewhere |= expected["matched"] > 0
        spent_somewhere |= expected["spent"] > 0
        held_for_batches_somewhere |= expected["held_for_batches"] > 0

        # The API: the project and its ledger.
        assert client.get(f"/api/v1/projects/{project.slug}").json()["funds"] == expected, project.slug
        assert client.get(f"/api/v1/projects/{project.slug}/ledger").json()["funds"] == expected, project.slug

        # The pages: project page, public ledger, fund-flow picture, each figure it shows.
        want = shown(expected, project.currency)
        for url in (f"/projects/{project.slug}/", f"/ledger/{project.slug}/", f"/log/flow/{project.slug}/"):
            response = client.get(url)
            assert response.status_code == 200, url
            figures = page_figures(response.content.decode())
            assert figures, f"{url} shows no money figures"
            for name, value in figures.items():
                assert value == want[name], (url, name, value, want[name])
            assert figures["raised"] == want["raised"] and figures["balance"] == want["balance"], url
            if expected["matched"]:
                assert figures["matched"] == want["matched"] and figures["received"] == want["received"], url

        # The picture's own flows: gifts in by band plus the match in; what is left is held.
        flow = fund_flow(project=project)
        assert flow.total == expected["raised"] and flow.sums.figures() == expected
        into_project = sum(row["amount"] for row in flow.rows if row["target"] == project.title)
        assert into_project == expected["received"]
        held = sum(row["amount"] for row in flow.rows if row["source"] == project.title and row["target"] == gettext("Held, not yet spent"))
        assert held == max(0, expected["balance"])

        # The receipts: each gift's own figures (amount minus refunds; its match) add up the same.
        gifts = Donation.objects.filter(project=project, status__in=("paid", "partially_refunded", "refunded"))
        assert sum(d.amount - d.refunded_amount for d in gifts) == expected["raised"]
        matches = Match.objects.filter(project=project)
        assert sum(m.journalled - m.returned for m in matches) == expected["matched"]
    assert matched_somewhere and spent_somewhere and held_for_batches_somewhere


def test_the_platform_picture_adds_up_every_project(demo, client):
    flow = fund_flow()
    together = defaultdict(int)
    for project in Project.objects.all():
        for name, value in journal_figures(project).items():
            if is_public(project):
                together[name] += value
    assert flow.sums.figures() == dict(together)
    figures = page_figures(client.get("/log/flow/").content.decode())
    assert figures["raised"] == Money(together["raised"]).display() and figures["balance"] == Money(together["balance"]).display()
