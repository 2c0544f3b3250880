"""The rating from the platform's own data: each indicator moves when what it reads
changes; the API, the pages, the grade on cards and in the list; feedback after delivery;
staff-only recompute."""

import datetime
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jusha.core.errors import Conflict, Forbidden
from jusha.core.money import Money
from jusha.ledger.services import expenditure_record
from jusha.organisations.services import verification_step_review, verification_step_submit
from jusha.projects.models import Project
from jusha.ratings import selectors, services
from jusha.ratings.models import Feedback, Snapshot
from jusha.reports.kinds import PROJECT
from jusha.reports.services import report_answer, report_submit, report_transition
from jusha.transparency.services import log_sequence
from tests.factories import give, image_upload, make_member, make_project, make_user
from tests.fulfilment.conftest import COST, confirm, member, shipped_batch, warm_project

pytestmark = pytest.mark.django_db


def indicator(organisation, key):
    record = selectors.record_of(organisation)
    from jusha.ratings import rules

    return {i.key: i for i in rules.indicators(record)}[key]


def aged(project, days=200):
    """As if the project had been published `days` ago (the record's length)."""
    Project.objects.filter(pk=project.pk).update(published_at=timezone.now() - timedelta(days=days))


def spend(project, amount, *, days_ago, line=None):
    finance = make_member(project.organisation, "finance")
    return expenditure_record(
        project=project, budget_line=line or project.budget_lines.first(), amount=Money(amount),
        description="Warm packs", spent_on=timezone.localdate() - timedelta(days=days_ago), voucher=image_upload(),
        actor=finance,
    )


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"


def test_disclosure_timeliness_completeness_and_traceability_follow_expenditures(project):
    give(project, 200_000)
    assert indicator(project.organisation, "disclosure_timeliness").score is None
    spend(project, 50_000, days_ago=2)
    assert indicator(project.organisation, "disclosure_timeliness").score == 100
    spend(project, 100_000, days_ago=48)  # the larger, late one decides the money-weighted median
    late = indicator(project.organisation, "disclosure_timeliness")
    assert late.value == 48 and late.score == pytest.approx(100 * (90 - 48) / 83)
    completeness = indicator(project.organisation, "completeness")
    assert completeness.detail["vouchered"] == 1.0 and completeness.detail["lines_reported"] == 0.5  # one line of two
    assert indicator(project.organisation, "traceability").score == 0  # facts not sequenced yet
    log_sequence()
    assert indicator(project.organisation, "traceability").score == 100


def test_programme_ratio_follows_the_journal():
    project = make_project(goal=100_000)
    give(project, 100_000)  # funded
    project.refresh_from_db()
    assert project.status == "funded"
    assert indicator(project.organisation, "programme_ratio").score == 0
    spend(project, 90_000, days_ago=1)
    assert indicator(project.organisation, "programme_ratio").score == 100


def test_execution_counts_batches_on_time_and_late():
    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    editor = member(project, "editor")
    for n in range(1, 6):
        confirm(batch, editor, f"Elder 0{n}")
    assert indicator(project.organisation, "execution").detail["batches_on_time"] == 1.0
    give(project, COST)
    late = project.batches.get(number=2)
    type(late).objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timedelta(days=30), status_changed_at=timezone.now() - timedelta(days=30))
    assert indicator(project.organisation, "execution").detail["batches_on_time"] == 0.5


def test_responsiveness_and_upheld_reports_follow_the_reports(project, staff):
    owner = project.organisation.memberships.get(role="owner").user
    report = report_submit(kind=PROJECT, target=project, reason="fraud", details="?", reporter=make_user())
    assert indicator(project.organisation, "upheld_reports").score == 100
    report_answer(report=report, actor=owner, answer="Receipts attached")
    assert indicator(project.organisation, "responsiveness").score == 100
    report_transition(report=report, target="upheld", actor=staff, outcome="Receipts did not match.")
    assert indicator(project.organisation, "upheld_reports").score == 60


def test_verification_follows_the_steps(org, staff, tmp_path):
    owner = make_member(org, "owner")
    before = indicator(org, "verification").score
    verification_step_submit(organisation=org, step="registry", details="Registry record no. 1", proof=image_upload(), actor=owner)
    assert indicator(org, "verification").score == before
    verification_step_review(organisation=org, step="registry", approve=True, actor=staff)
    assert indicator(org, "verification").score == pytest.approx(before + 6)


def test_donor_feedback_after_delivery(client):
    project = warm_project()
    donor = make_user()
    gift = give(project, COST, donor=donor)
    with pytest.raises(Conflict):  # nothing delivered yet
        services.feedback_give(donation=gift, stars=5, allowed=True)
    batch = shipped_batch(project)
    editor = member(project, "editor")
    for n in range(1, 6):
        confirm(batch, editor, f"Elder 0{n}")
    with pytest.raises(Forbidden):
        services.feedback_give(donation=gift, stars=5, allowed=False)
    browser = Client()
    browser.force_login(donor)
    receipt = browser.get(f"/donations/{gift.pk}/").content.decode()
    assert "Did the help arrive as promised?" in receipt or "帮助是否如约送达" in receipt
    assert browser.post(f"/ratings/feedback/{gift.pk}/", {"stars": "4"}).status_code == 302
    assert browser.post(f"/ratings/feedback/{gift.pk}/", {"stars": "9"}).status_code == 302  # refused, unchanged
    assert list(Feedback.objects.values_list("stars", flat=True)) == [4]
    stranger = Client()
    stranger.force_login(make_user())
    assert stranger.post(f"/ratings/feedback/{gift.pk}/", {"stars": "1"}).status_code == 403
    assert list(Feedback.objects.values_list("stars", flat=True)) == [4]
    assert indicator(project.organisation, "donor_feedback").value == 4


def test_no_grade_before_the_minimum_history_then_a_grade(client, project):
    snapshot = services.rating_compute(organisation=project.organisation)
    assert not snapshot.enough_history and snapshot.grade == "" and snapshot.score is None
    body = client.get(f"/api/v1/orgs/{project.organisation.slug}/rating").json()
    assert body["grade"] is None and body["reason"] == "not_enough_history"
    give(project, 100_000)
    spend(project, 50_000, days_ago=1)
    aged(project)
    log_sequence()
    snapshot = services.rating_compute(organisation=project.organisation)
    assert snapshot.enough_history and snapshot.grade
    body = client.get(f"/api/v1/orgs/{project.organisation.slug}/rating").json()
    assert body["grade"] == snapshot.grade and body["score"] == snapshot.score
    keys = [i["key"] for i in body["indicators"]]
    assert "disclosure_timeliness" in keys and all(i["explanation"] for i in body["indicators"])
    assert body["history"][-1]["grade"] == snapshot.grade and body["computed_at"]
    assert client.get("/api/v1/orgs/nope/rating").status_code == 404


def test_the_grade_on_cards_pages_and_the_list(client, project):
    give(project, 100_000)
    spend(project, 50_000, days_ago=1)
    aged(project)
    log_sequence()
    snapshot = services.rating_compute(organisation=project.organisation)
    other = make_project()  # an organisation with no rating
    listing = client.get("/projects/").content.decode()
    assert f"/ratings/{project.organisation.slug}/" in listing
    assert client.get(f"/projects/{project.slug}/").content.decode().count('data-testid="grade"') == 1
    org_page = client.get(f"/orgs/{project.organisation.slug}/").content.decode()
    assert snapshot.grade in org_page and "/ratings/" in org_page
    sorted_list = client.get("/projects/?sort=grade").context["projects"]
    assert [p.pk for p in sorted_list][:1] == [project.pk]
    best = client.get(f"/projects/?grade={snapshot.grade}").context["projects"]
    assert project.pk in [p.pk for p in best] and other.pk not in [p.pk for p in best]
    rating_page = client.get(f"/ratings/{project.organisation.slug}/")
    assert rating_page.status_code == 200 and 'data-testid="indicator-disclosure_timeliness"' in rating_page.content.decode()


@pytest.mark.parametrize("language,words", [("zh-hans", "评级"), ("zh-hant", "評級"), ("en", "How ratings are computed")])
def test_the_method_page_in_three_languages(client, language, words):
    page = client.get("/ratings/method/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and words in page.content.decode()
    assert "A+" in page.content.decode()


def test_recompute_is_for_staff_only_and_a_refusal_changes_nothing(project, staff):
    owner = project.organisation.memberships.get(role="owner").user
    browser = Client()
    browser.force_login(owner)
    browser.post(f"/ratings/{project.organisation.slug}/recompute/")
    assert Snapshot.objects.count() == 0
    browser.force_login(staff)
    assert browser.post(f"/ratings/{project.organisation.slug}/recompute/").status_code == 302
    assert Snapshot.objects.count() == 1


def test_the_daily_job_rates_every_organisation_once_a_day(project):
    make_project()
    assert services.ratings_compute_all() == 2
    assert services.ratings_compute_all() == 2
    assert Snapshot.objects.count() == 2


def test_responsiveness_counts_sightings_through_missings_contribution():
    """missing is above ratings: it contributes how long its organisations take to act on
    sightings (core.events.Contributions), ratings never imports it."""
    from jusha.missing import services as missing
    from jusha.core.models import AuditLog
    from tests.missing.conftest import make_case

    case = make_case()
    org = case.organisation
    sighting = missing.sighting_submit(case=case, place="车站", seen_at=timezone.now() - timedelta(hours=1),
                                       description="像是他")
    type(sighting).objects.filter(pk=sighting.pk).update(created_at=timezone.now() - timedelta(days=10))
    slow = indicator(org, "responsiveness")
    assert slow.detail["others"] == 1 and slow.value == pytest.approx(240, abs=1)
    editor = org.memberships.get(role="editor").user
    missing.sighting_move(sighting=sighting, status="checked", roles={"editor"}, actor=editor)
    AuditLog.objects.filter(action="missing.sighting_moved").update(created_at=timezone.now() - timedelta(days=10) + timedelta(hours=5))
    assert indicator(org, "responsiveness").value == pytest.approx(5, abs=0.1)
