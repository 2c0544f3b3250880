"""Matching loads through permissions, reads what its answers and tags show in selectors
(schemas and tags run no queries), and offers the review actions the MATCH table allows."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from jusha.core.errors import Forbidden, Invalid
from jusha.matching import permissions, schemas, selectors
from jusha.matching.models import Pool
from tests.factories import give, make_campaign, make_member, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched():
    project = make_project(goal=10_000_000)
    campaign = make_campaign(projects=[project])
    pool = make_pool(campaign=campaign, budget=100_000)
    return project, pool, give(project, 5000)


def no_queries():
    return CaptureQueriesContext(connection)


def test_pool_answers_run_no_queries(matched):
    project, pool, _donation = matched
    pool = selectors.pool_for_answer(Pool.objects.get(pk=pool.pk))
    with no_queries() as captured:
        body = schemas.pool_out(pool)
    assert len(captured) == 0
    assert body["spent"] == 5000 and body["sponsor"]["slug"] == pool.sponsor.slug and body["seed"] is None


def test_the_pool_api_answers_as_before(client, matched):
    _project, pool, _donation = matched
    body = client.get(f"/api/v1/pools/{pool.pk}").json()
    assert body["id"] == pool.pk and body["spent"] == 5000 and body["remaining"] == 95_000
    matches = client.get(f"/api/v1/pools/{pool.pk}/matches").json()
    assert matches["count"] == 1 and matches["items"][0]["amount"] == 5000


def test_match_tags_draw_what_the_page_passes_without_queries(matched):
    project, pool, donation = matched
    donation.refresh_from_db()
    given = {"project": project, "donation": donation, "project_matching": selectors.project_matching(project),
             "donation_match": selectors.donation_match_info(donation)}
    with no_queries() as captured:
        html = Template(
            '{% include "matching/_project_matched.html" %}{% include "matching/_donation_match.html" %}'
        ).render(Context(given))
    assert len(captured) == 0, [q["sql"] for q in captured]
    assert 'data-testid="project-matched"' in html and 'data-testid="donation-matched"' in html
    assert pool.sponsor.name in html


def test_review_actions_follow_the_table():
    assert permissions.review_actions(make_user(is_staff=True)) == permissions.ReviewActions(True, True)
    assert permissions.review_actions(make_user()) == permissions.ReviewActions(False, False)
    with pytest.raises(Forbidden):
        permissions.access_review_queue(user=make_user())


def test_the_review_page_offers_both_decisions_to_staff(client, matched):
    project, pool, _donation = matched
    give(project, 2000, donor=make_member(project.organisation, "editor"))  # held: the organisation's own money
    client.force_login(pool.staff)
    page = client.get("/pools/review/").content.decode()
    assert 'value="release"' in page and 'value="reject"' in page


def test_a_new_pool_names_existing_things_only():
    sponsor = make_pool(funded=False, active=False).sponsor
    with pytest.raises(Invalid) as unknown:
        permissions.pool_references(sponsor="nobody", campaign=None, projects=[])
    assert unknown.value.code == "unknown_sponsor"
    with pytest.raises(Invalid) as unknown:
        permissions.pool_references(sponsor=sponsor.slug, campaign="nope", projects=[])
    assert unknown.value.code == "unknown_campaign"
    project = make_project()
    with pytest.raises(Invalid) as unknown:
        permissions.pool_references(sponsor=sponsor.slug, campaign=None, projects=[project.slug, "missing"])
    assert unknown.value.code == "unknown_project"
    refs = permissions.pool_references(sponsor=sponsor.slug, campaign=None, projects=[project.slug])
    assert refs == {"sponsor": sponsor, "campaign": None, "projects": [project]}
