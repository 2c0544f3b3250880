"""Cause funds: given to through the ordinary gift path, granted out by the public rule,
every grant two balanced journal entries and a public fact; project figures stay honest."""

import pytest
from django.test import TestCase

from jusha.core.errors import Conflict, Forbidden
from jusha.funds import rules
from jusha.funds.models import Grant
from jusha.funds.services import fund_grant, fund_open, funds_grant_all
from jusha.ledger.checks import ledger_problems
from jusha.projects.selectors import largest_unmet_needs, project_alternatives, project_sums
from jusha.transparency.models import Fact
from tests.factories import give, make_project, make_user

pytestmark = pytest.mark.django_db


def test_allocate_largest_need_first_never_above_need_and_small_rest_waits():
    needs = [(1, 50_000), (2, 30_000), (3, 20_000)]
    assert rules.allocate(available=60_000, needs=needs, minimum=10_000) == [(1, 50_000, 50_000), (2, 10_000, 30_000)]
    assert rules.allocate(available=55_000, needs=needs, minimum=10_000) == [(1, 50_000, 50_000)]  # 5,000 waits
    assert rules.allocate(available=0, needs=needs, minimum=1) == []
    assert rules.allocate(available=200_000, needs=needs, minimum=10_000) == [(1, 50_000, 50_000), (2, 30_000, 30_000), (3, 20_000, 20_000)]


def test_fund_is_given_to_like_any_project_and_grants_by_the_rule(fund, client):
    big = make_project(goal=80_000, cause="children")
    small = make_project(goal=30_000, cause="children")
    elders = make_project(goal=900_000, cause="elders")
    give(big, 20_000)  # need 60,000
    gift = give(fund.project, 70_000)
    assert gift.status == "paid" and gift.receipt_number
    with TestCase.captureOnCommitCallbacks(execute=True):
        grants = fund_grant(fund=fund)
    assert [(g.project_id, g.amount, g.need_before) for g in grants] == [(big.pk, 60_000, 60_000), (small.pk, 10_000, 30_000)]
    sums = project_sums([big.pk, small.pk, elders.pk, fund.project_id])
    assert sums[big.pk].raised == 20_000 and sums[big.pk].granted == 60_000 and sums[big.pk].matched == 0
    assert sums[small.pk].granted == 10_000 and sums[elders.pk].granted == 0
    assert sums[fund.project_id].granted_out == 70_000 and sums[fund.project_id].available == 0
    assert ledger_problems() == []
    assert Fact.objects.filter(kind="grant").count() == 2
    big.refresh_from_db()
    assert big.status == "funded"  # the grant met its need
    detail = client.get(f"/api/v1/projects/{small.slug}").json()
    assert detail["gap"] == 20_000 and detail["funds"]["granted"] == 10_000 and detail["raised"] == 0
    assert fund_grant(fund=fund) == []  # nothing left to grant


def test_fund_project_is_never_an_unmet_need_itself(fund):
    other = make_project(goal=10_000, cause="children")
    assert fund.project.pk not in [p.pk for p in largest_unmet_needs(limit=10)]
    assert fund.project.pk not in [p.pk for p in project_alternatives(other)]


def test_only_staff_open_funds_and_grant_by_hand(platform_staff, fund):
    user, org = platform_staff
    with pytest.raises(Conflict):
        fund_open(cause="children", organisation=org, actor=user)
    stranger = make_user("stranger@example.org")
    with pytest.raises(Forbidden):
        fund_open(cause="elders", organisation=org, actor=stranger)
    with pytest.raises(Forbidden):
        fund_grant(fund=fund, actor=stranger)
    assert Grant.objects.count() == 0


def test_periodic_grants_and_public_pages(fund, client):
    need = make_project(goal=50_000, cause="children")
    give(fund.project, 20_000)
    assert funds_grant_all() == 1
    page = client.get("/funds/children/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="rule-text"' in text and need.title in text and "¥200.00" in text
    assert client.get("/funds/").status_code == 200
    assert client.get("/funds/nope/").status_code == 404
    project_page = client.get(f"/projects/{need.slug}/").content.decode()
    assert 'data-testid="received-grant"' in project_page and 'data-testid="granted"' in project_page
