"""Project services: creating, editing, the lifecycle, funding, closing, updates."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from jusha.core.errors import Conflict, Forbidden, Invalid, TooLarge, TransitionRefused
from jusha.core.models import AuditLog
from jusha.core.money import Money
from jusha.projects.models import BudgetLine, Project, ProjectUpdate, StatusChange
from jusha.projects.services import (
    project_create,
    project_edit,
    project_mark_funded_if_full,
    project_transition,
    projects_close_ended,
    update_post,
)
from tests.factories import give, image_upload, jpeg_with_gps, make_member, make_org, make_project, make_user, png_bytes
from tests.projects.conftest import project_kwargs

pytestmark = pytest.mark.django_db


def counts():
    return Project.objects.count(), BudgetLine.objects.count(), StatusChange.objects.count()


# --- creating ------------------------------------------------------------------------


def test_editor_creates_a_draft(org, editor):
    project = project_create(organisation=org, actor=editor, **project_kwargs())
    assert project.status == "draft" and project.organisation == org and project.created_by == editor
    assert project.slug == "warm-winter-for-elders"
    assert [(b.title, b.amount) for b in project.budget_lines.all()] == [("Warm packs", 80_000), ("Delivery", 20_000)]


def test_budget_that_does_not_add_up_is_refused_and_nothing_created(org, editor):
    before = counts()
    with pytest.raises(Invalid) as refused:
        project_create(organisation=org, actor=editor, **project_kwargs(budget_lines=[("Warm packs", 80_000), ("Delivery", 10_000)]))
    assert refused.value.code == "budget_mismatch" and refused.value.status == 422
    assert "¥100.00 less than the goal of ¥1,000.00" in str(refused.value.detail)
    assert refused.value.extra["difference"] == 10_000
    with pytest.raises(Invalid, match="more than the goal"):
        project_create(organisation=org, actor=editor, **project_kwargs(budget_lines=[("Everything", 100_001)]))
    assert counts() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"goal": 0, "budget_lines": []},
        {"goal": -100},
        {"goal": 10**10 + 1, "budget_lines": [("All", 10**10 + 1)]},
        {"budget_lines": []},
        {"budget_lines": [("Warm packs", 100_001), ("Refund", -1)]},
        {"budget_lines": [("", 100_000)]},
        {"unit_cost": 0},
        {"cause": "weapons"},
        {"region_code": "999999"},
        {"ends_at": timezone.now() - timedelta(days=1)},
        {"title": "<b></b>"},
        {"shortfall_rule": "keep_it"},
        {"currency": "USD"},  # money the site does not hold (settings.JUSHA_CURRENCIES)
    ],
)
def test_invalid_fields_are_refused(org, editor, overrides):
    before = counts()
    with pytest.raises(Invalid):
        project_create(organisation=org, actor=editor, **project_kwargs(**overrides))
    assert counts() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"goal": 1000.0},
        {"goal": True},
        {"unit_cost": 5_000.0},
        {"budget_lines": [("Warm packs", 80_000), ("Delivery", 20_000.0)]},
    ],
)
def test_amounts_that_are_not_money_are_a_programming_error(org, editor, overrides):
    """Services take Money: a bare number (fen? yuan?) is refused before anything is written."""
    before = counts()
    with pytest.raises(TypeError, match="must be Money"):
        project_create(organisation=org, actor=editor, **project_kwargs(**overrides))
    assert counts() == before


def test_amounts_in_another_currency_than_the_goal_are_refused(org, editor):
    kwargs = project_kwargs()
    kwargs["budget_lines"] = [("Warm packs", Money(80_000, "CNY")), ("Delivery", Money(20_000, "USD"))]
    with pytest.raises(Invalid) as refused:
        project_create(organisation=org, actor=editor, **kwargs)
    assert refused.value.code == "currency_mismatch" and not Project.objects.exists()


@pytest.mark.parametrize("role", [None, "finance"])
def test_only_owners_and_editors_create(org, role):
    user = make_member(org, role) if role else make_user()
    before = counts()
    with pytest.raises(Forbidden):
        project_create(organisation=org, actor=user, **project_kwargs())
    assert counts() == before


def test_editor_of_another_organisation_cannot_create(org):
    other_editor = make_member(make_org(), "editor")
    with pytest.raises(Forbidden):
        project_create(organisation=org, actor=other_editor, **project_kwargs())
    assert not Project.objects.exists()


def test_story_is_sanitised_and_titles_are_plain_text(org, editor):
    story = (
        '<p onclick="steal()">Hello</p><script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">bad</a> <a href="https://example.org">good</a>'
    )
    project = project_create(organisation=org, actor=editor, **project_kwargs(story=story, title="<i>Warm</i> winter"))
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in project.story
    assert "Hello" in project.story and 'href="https://example.org"' in project.story
    assert project.title == "Warm winter"


def test_slugs_are_ascii_and_unique(org, editor):
    chinese = project_create(organisation=org, actor=editor, **project_kwargs(title="冬日暖包"))
    assert chinese.slug.startswith("p-") and len(chinese.slug) == 8 and chinese.slug.isascii()
    first = project_create(organisation=org, actor=editor, **project_kwargs(title="Books"))
    second = project_create(organisation=org, actor=editor, **project_kwargs(title="Books"))
    assert first.slug == "books" and second.slug.startswith("books-") and second.slug != first.slug
    reserved = project_create(organisation=org, actor=editor, **project_kwargs(title="New"))
    assert reserved.slug != "new"


# --- cover images -----------------------------------------------------------------------


def test_cover_is_re_encoded_without_exif(org, editor):
    upload = image_upload("gps.jpg", jpeg_with_gps(), "image/jpeg")
    with Image.open(upload) as original:
        assert original.getexif()  # the upload does carry camera and GPS data
    upload.seek(0)
    project = project_create(organisation=org, actor=editor, **project_kwargs(cover=upload))
    with project.cover.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert 0x8825 not in image.getexif()


def test_svg_cover_is_refused(org, editor):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(Invalid) as refused:
        project_create(organisation=org, actor=editor, **project_kwargs(cover=image_upload("c.svg", svg, "image/svg+xml")))
    assert refused.value.code == "file_type"
    assert not Project.objects.exists()


def test_text_disguised_as_png_is_refused(org, editor):
    with pytest.raises(Invalid) as refused:
        project_create(
            organisation=org, actor=editor, **project_kwargs(cover=image_upload("c.png", b"just some text", "image/png"))
        )
    assert refused.value.code == "file_type"
    assert not Project.objects.exists()


def test_oversize_cover_is_refused_with_413(org, editor, settings):
    settings.JUSHA_UPLOAD_MAX_BYTES = 64
    with pytest.raises(TooLarge) as refused:
        project_create(organisation=org, actor=editor, **project_kwargs(cover=image_upload("c.png", png_bytes((200, 200)))))
    assert refused.value.status == 413 and refused.value.code == "file_too_large"
    assert not Project.objects.exists()


# --- editing ----------------------------------------------------------------------------


def test_edit_replaces_content_and_budget(org, editor):
    project = project_create(organisation=org, actor=editor, **project_kwargs())
    project_edit(project=project, actor=editor, **project_kwargs(title="Warmer", goal=50_000, budget_lines=[("Packs", 50_000)]))
    project.refresh_from_db()
    assert project.title == "Warmer" and project.goal == 50_000
    assert list(project.budget_lines.values_list("title", "amount")) == [("Packs", 50_000)]


def test_editing_a_project_sent_back_returns_it_to_draft(org, editor):
    project = make_project(org, status="changes_requested")
    project_edit(project=project, actor=editor, **project_kwargs())
    assert project.status == "draft"
    assert project.status_changes.last().target == "draft"


def test_published_projects_cannot_be_edited(org, editor):
    project = make_project(org)
    with pytest.raises(Conflict):
        project_edit(project=project, actor=editor, **project_kwargs(title="Changed"))
    project.refresh_from_db()
    assert project.title != "Changed"


def test_editor_of_another_organisation_cannot_edit(draft):
    outsider = make_member(make_org(), "editor")
    with pytest.raises(Forbidden):
        project_edit(project=draft, actor=outsider, **project_kwargs(title="Hijacked"))
    draft.refresh_from_db()
    assert draft.title != "Hijacked"


# --- the lifecycle ------------------------------------------------------------------------


def test_submit_approve_publishes_with_history_and_audit(org, editor, staff):
    project = make_project(org, status="draft")
    project_transition(project=project, target="in_review", actor=editor)
    project_transition(project=project, target="fundraising", actor=staff, reason="Looks good")
    project.refresh_from_db()
    assert project.status == "fundraising" and project.published_at is not None
    assert project.review_note == "Looks good"
    assert list(project.status_changes.values_list("source", "target", "actor")) == [
        ("draft", "in_review", editor.pk),
        ("in_review", "fundraising", staff.pk),
    ]
    audit = AuditLog.objects.get(action="project.fundraising")
    assert audit.actor == staff and audit.target_id == str(project.pk) and audit.data["from"] == "in_review"


def test_approval_refused_for_unverified_organisation(staff):
    org = make_org(verified=False)
    project = make_project(org, status="in_review")
    changes = StatusChange.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        project_transition(project=project, target="fundraising", actor=staff)
    assert refused.value.code == "organisation_not_verified" and refused.value.status == 409
    project.refresh_from_db()
    assert project.status == "in_review" and project.published_at is None
    assert StatusChange.objects.count() == changes and not AuditLog.objects.exists()


def test_approval_refused_when_budget_or_date_wrong(org, staff):
    project = make_project(org, status="in_review")
    project.budget_lines.last().delete()
    with pytest.raises(TransitionRefused, match="add up to") as refused:
        project_transition(project=project, target="fundraising", actor=staff)
    assert refused.value.code == "budget_mismatch"
    late = make_project(org, status="in_review", ends_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(TransitionRefused) as refused:
        project_transition(project=late, target="fundraising", actor=staff)
    assert refused.value.code == "ends_at_past"


def test_request_changes_needs_a_reason_which_is_kept(org, staff):
    project = make_project(org, status="in_review")
    with pytest.raises(TransitionRefused) as refused:
        project_transition(project=project, target="changes_requested", actor=staff, reason="  ")
    assert refused.value.code == "reason_required"
    project_transition(project=project, target="changes_requested", actor=staff, reason="Add photos of the village")
    project.refresh_from_db()
    assert project.status == "changes_requested" and project.review_note == "Add photos of the village"


def test_wrong_role_is_refused_with_409_and_nothing_changes(org, editor):
    project = make_project(org, status="in_review")
    changes = StatusChange.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        project_transition(project=project, target="fundraising", actor=editor)
    assert refused.value.code == "transition_not_allowed"
    assert "staff" in str(refused.value.detail)
    project.refresh_from_db()
    assert project.status == "in_review" and StatusChange.objects.count() == changes


def test_editor_of_org_a_cannot_move_org_b_projects():
    editor_a = make_member(make_org(), "editor")
    for status, target in [("draft", "in_review"), ("draft", "cancelled"), ("fundraising", "cancelled")]:
        project = make_project(make_org(), status=status)
        changes = StatusChange.objects.count()
        with pytest.raises(Forbidden):
            project_transition(project=project, target=target, actor=editor_a)
        project.refresh_from_db()
        assert project.status == status and StatusChange.objects.count() == changes


def test_anonymous_actor_is_refused(draft):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        project_transition(project=draft, target="in_review", actor=AnonymousUser())


def test_final_report_required_and_sanitised(org, owner):
    project = make_project(org, status="executing")
    for report in (None, "", "<p> </p>", "<script>alert(1)</script>"):
        with pytest.raises(TransitionRefused) as refused:
            project_transition(project=project, target="completed", actor=owner, final_report=report)
        assert refused.value.code == "final_report_required"
    project_transition(project=project, target="completed", actor=owner, final_report="<p>All 50 delivered</p><script>x</script>")
    project.refresh_from_db()
    assert project.status == "completed" and project.final_report == "<p>All 50 delivered</p>"


def test_editor_cannot_complete(org, editor):
    project = make_project(org, status="executing")
    with pytest.raises(TransitionRefused):
        project_transition(project=project, target="completed", actor=editor, final_report="Done")


def test_late_cancellation_is_staff_only_with_reason(org, owner, staff):
    project = make_project(org, status="funded")
    with pytest.raises(TransitionRefused):
        project_transition(project=project, target="cancelled", actor=owner, reason="Changed our minds")
    with pytest.raises(TransitionRefused, match="reason"):
        project_transition(project=project, target="cancelled", actor=staff)
    project_transition(project=project, target="cancelled", actor=staff, reason="Organisation dissolved")
    assert project.status == "cancelled"


def test_owner_closes_early_only_with_money_and_the_proportional_rule(org, owner):
    project = make_project(org, goal=100_000)
    with pytest.raises(TransitionRefused) as refused:
        project_transition(project=project, target="executing", actor=owner)
    assert refused.value.code == "nothing_raised"
    give(project, 30_000)
    project_transition(project=project, target="executing", actor=owner)
    assert project.status == "executing"

    strict = make_project(org, goal=100_000, shortfall_rule="refund")
    give(strict, 30_000)
    with pytest.raises(TransitionRefused) as refused:
        project_transition(project=strict, target="executing", actor=owner)
    assert refused.value.code == "shortfall_refund_rule"


# --- funding ----------------------------------------------------------------------------------


def test_marked_funded_when_gifts_reach_the_goal(org):
    project = make_project(org, goal=10_000)
    give(project, 6_000)
    assert project_mark_funded_if_full(project_id=project.pk).status == "fundraising"
    give(project, 4_000)  # its after-commit check marks the project funded
    project.refresh_from_db()
    assert project.status == "funded"
    project_mark_funded_if_full(project_id=project.pk)  # a second call changes nothing
    assert project.status_changes.filter(target="funded").count() == 1
    assert project.status_changes.get(target="funded").actor is None


@pytest.fixture
def no_funded_check(monkeypatch):
    """Gifts without the after-commit "is it full now?" check, to call it by hand."""
    from types import SimpleNamespace

    from jusha.projects import tasks

    monkeypatch.setattr(tasks, "project_check_full", SimpleNamespace(enqueue=lambda *args, **kwargs: None))


@pytest.mark.django_db(transaction=True)
def test_concurrent_funding_checks_change_the_status_once(no_funded_check):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or an on-disk SQLite test database (JUSHA_SQLITE_TEST_NAME=<file>)")
    project = make_project(make_org(), goal=10_000)
    give(project, 6_000)
    give(project, 4_000)
    assert Project.objects.get(pk=project.pk).status == "fundraising"
    barrier, errors = threading.Barrier(4), []

    def check():
        try:
            barrier.wait()
            project_mark_funded_if_full(project_id=project.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Project.objects.get(pk=project.pk).status == "funded"
    assert StatusChange.objects.filter(project=project, target="funded").count() == 1


# --- closing ended fundraising ------------------------------------------------------------------


def test_ended_short_with_proportional_rule_goes_to_executing(org):
    project = make_project(org, goal=100_000, shortfall_rule="proportional")
    give(project, 30_000)
    untouched = make_project(org, ends_at=project.ends_at + timedelta(days=2))
    result = projects_close_ended(now=project.ends_at + timedelta(seconds=1))
    assert result == {"executing": 1}
    project.refresh_from_db()
    untouched.refresh_from_db()
    assert project.status == "executing" and untouched.status == "fundraising"
    change = project.status_changes.last()
    assert change.actor is None and "proportion" in change.reason
    assert projects_close_ended(now=project.ends_at + timedelta(seconds=2)) == {}


def test_ended_with_nothing_raised_is_cancelled(org):
    project = make_project(org, shortfall_rule="proportional")
    assert projects_close_ended(now=project.ends_at + timedelta(seconds=1)) == {"cancelled": 1}
    project.refresh_from_db()
    assert project.status == "cancelled"


def test_ended_full_is_funded(org, no_funded_check):
    project = make_project(org, goal=10_000)
    give(project, 10_000)  # and the funded check was missed
    assert projects_close_ended(now=project.ends_at + timedelta(seconds=1)) == {"funded": 1}


def test_ended_short_with_refund_rule_is_cancelled_and_every_gift_refunded(org):
    giving_services = pytest.importorskip("jusha.giving.services")
    if not hasattr(giving_services, "donations_refund_all"):
        pytest.skip("jusha.giving.services.donations_refund_all is not written yet (giving engineer)")
    from jusha.giving.models import Donation
    from jusha.projects.selectors import project_sums

    project = make_project(org, goal=100_000, shortfall_rule="refund")
    first, second = give(project, 20_000), give(project, 5_000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert projects_close_ended(now=project.ends_at + timedelta(seconds=1)) == {"cancelled": 1}
    project.refresh_from_db()
    assert project.status == "cancelled"
    assert set(Donation.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"refunded"}
    assert project_sums([project.pk])[project.pk].raised == 0


def test_owner_cancelling_a_fundraising_project_refunds_its_gifts(org, owner):
    from jusha.giving.models import Donation

    project = make_project(org, goal=100_000)
    gift = give(project, 20_000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        project_transition(project=project, target="cancelled", actor=owner, reason="The school closed")
    gift.refresh_from_db()
    assert gift.status == Donation.Status.REFUNDED


# --- progress updates ---------------------------------------------------------------------------


def test_update_with_photos(org, editor):
    project = make_project(org)
    update = update_post(
        project=project, actor=editor, title="Packs bought",
        body="<p>We bought 20 packs</p><script>x()</script>",
        photos=[image_upload("a.jpg", jpeg_with_gps(), "image/jpeg"), image_upload()],
    )
    assert update.body == "<p>We bought 20 packs</p>"
    photos = list(update.photos.all())
    assert len(photos) == 2
    with photos[0].image.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()


def test_updates_only_once_published_and_only_by_editors(org, editor):
    with pytest.raises(Conflict):
        update_post(project=make_project(org, status="draft"), actor=editor, title="Too early", body="<p>x</p>")
    project = make_project(org)
    for actor in (make_user(), make_member(make_org(), "editor"), make_member(org, "finance")):
        with pytest.raises(Forbidden):
            update_post(project=project, actor=actor, title="Hi", body="<p>x</p>")
    with pytest.raises(Invalid):
        update_post(project=project, actor=editor, title="Bad photo", body="<p>x</p>", photos=[image_upload("x.png", b"text")])
    assert not ProjectUpdate.objects.exists()
