"""Sponsors' cash really moves: a match to another organisation's project moves the
sponsor's cash with the pool's money, a returned match moves it back, the project's ledger
shows it, and `ledger_check` proves every organisation holds what it owes."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from jusha.ledger import checks
from jusha.ledger.maintenance import ledger_unlocked
from jusha.ledger.models import JournalEntry, Posting
from jusha.ledger.selectors import account_balance
from jusha.ledger.services import organisation_cash_account, project_fund_account
from jusha.projects.models import ProjectTotal
from tests.factories import give, make_campaign, make_member, make_pool, make_project
from tests.gifts import refund

pytestmark = pytest.mark.django_db


def cash(organisation_id):
    return account_balance(organisation_cash_account(organisation_id, "CNY")).amount


@pytest.fixture
def matched():
    project = make_project(goal=10_000_000)
    pool = make_pool(campaign=make_campaign(projects=[project]), projects=[project], budget=100_000, min_bp=10_000)
    gift = give(project, 5_000)
    return project, pool, gift


def test_a_match_moves_the_sponsors_cash_to_the_projects_organisation(matched):
    project, pool, _gift = matched
    assert pool.sponsor_id != project.organisation_id
    assert cash(pool.sponsor_id) == 100_000 - 5_000  # deposited, less what was matched
    assert cash(project.organisation_id) == 5_000 + 5_000  # the gift and the match
    assert -account_balance(project_fund_account(project)).amount == 10_000
    settlement = JournalEntry.objects.get(kind="settlement")
    assert (settlement.project_id, settlement.amount) == (project.pk, 5_000)
    assert checks.organisation_cash_problems() == [] and checks.ledger_problems() == []


def test_a_returned_match_moves_the_cash_back(matched):
    project, pool, gift = matched
    refund(gift, 5_000, actor=make_member(project.organisation, "finance"))
    assert cash(pool.sponsor_id) == 100_000
    assert cash(project.organisation_id) == 0
    assert JournalEntry.objects.filter(kind="settlement").count() == 2
    assert checks.ledger_problems() == []


def test_the_projects_public_ledger_shows_the_settlement(matched, client):
    project, _pool, gift = matched
    page = client.get(f"/ledger/{project.slug}/").content.decode()
    assert "Sponsor&#x27;s cash moved for a match" in page or "Sponsor's cash moved for a match" in page
    rows = client.get(f"/api/v1/projects/{project.slug}/ledger").json()["items"]
    assert {"settlement": "settled"}.items() <= {row["kind"]: row["direction"] for row in rows}.items()


def test_ledger_check_finds_cash_left_with_the_sponsor_and_past_matches_are_settled_once(matched):
    project, pool, _gift = matched
    entry = JournalEntry.objects.get(kind="settlement")
    with ledger_unlocked(), connection.cursor() as cursor:  # as before settlements existed: the match alone
        for table, column in ((Posting._meta.db_table, "entry_id"), (JournalEntry._meta.db_table, "id")):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [entry.pk])
        cursor.execute(f"DELETE FROM {ProjectTotal._meta.db_table} WHERE kind = 'settlement'")
    problems = checks.organisation_cash_problems()
    assert len(problems) == 2 and all("in cash but owes" in p for p in problems)
    migration = importlib.import_module("jusha.matching.migrations.0004_settle_past_matches")
    migration.settle_past_matches(apps, None)
    migration.settle_past_matches(apps, None)  # a second run settles nothing twice
    assert JournalEntry.objects.filter(kind="settlement").count() == 1
    assert checks.ledger_problems() == []
