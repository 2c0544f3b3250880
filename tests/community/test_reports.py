"""Team pages, team updates, circle posts and comments are reported through the platform's
one reports model (jusha/reports): a member's report hides the content pending review, it
waits in the one staff queue, and staff's decision shows it again or removes it."""

import pytest
from django.test import Client

from jusha.community import circle_services, rules, selectors, services
from jusha.community.models import CirclePost, Comment, FeedItem, Team, TeamUpdate
from jusha.reports import services as reports
from jusha.reports.models import Report, ReportEvent
from tests.community.conftest import bearer, post
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def scene(circle):
    """An author's post in a circle, a reporter who is a member, and a reader who follows the circle."""
    author, reporter, reader = make_user("author@example.org"), make_user("reporter@example.org"), make_user("reader@example.org")
    for member in (author, reporter):
        circle_services.circle_join(circle=circle, actor=member)
    services.follow_start(actor=reader, source=rules.key("c", circle.pk))
    posted = circle_services.post_create(circle=circle, body="加微信领红包 wx123", actor=author)
    return author, reporter, reader, posted


def _circle_page(circle, user=None) -> str:
    return browser(user).get(f"/community/circles/{circle.slug}/").content.decode()


def test_a_member_reports_a_circle_post_it_is_hidden_queued_and_restored_by_staff(client, circle, staff_user, scene):
    author, reporter, reader, posted = scene
    assert "wx123" in _circle_page(circle, reader) and len(selectors.feed_items(reader)) == 1
    # The report link is on the post, for everyone but its author.
    assert f"/reports/new/?kind=circle_post&amp;key={posted.pk}" in _circle_page(circle, reader)
    assert f"kind=circle_post&amp;key={posted.pk}" not in _circle_page(circle, author)

    response = post(client, "/api/v1/reports", {"kind": "circle_post", "key": str(posted.pk), "reason": "spam",
                                                 "details": "广告"}, **bearer(reporter))
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.kind == "circle_post" and report.object_id == posted.pk and report.organisation is None
    assert "wx123" in report.target_label

    # Hidden from others (page, API, feed), pending review; its author still sees it is theirs.
    assert CirclePost.objects.get(pk=posted.pk).visibility == "hidden"
    assert "wx123" not in _circle_page(circle, reader)
    assert client.get(f"/api/v1/circles/{circle.slug}").json()["posts"] == []
    assert selectors.feed_items(reader) == []
    assert list(report.events.values_list("action", flat=True)) == ["submitted", "hidden"]

    # In the one staff queue, with the text to judge.
    queue = browser(staff_user).get("/reports/staff/").content.decode()
    assert "wx123" in queue and "Circle post" in queue and "circle_post" not in queue  # the kind's label, translated
    assert "兴趣圈帖子" in browser(staff_user).get("/reports/staff/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    detail = browser(staff_user).get(f"/reports/staff/{report.pk}/").content.decode()
    assert "reporter@example.org" in detail and f"#post-{posted.pk}" in detail

    # Staff find nothing wrong: shown again, everywhere.
    decided = browser(staff_user).post(f"/reports/staff/{report.pk}/decide/",
                                       {"target": "dismissed", "outcome": "不是广告"})
    assert decided.status_code == 302
    assert CirclePost.objects.get(pk=posted.pk).visibility == "visible"
    assert "wx123" in _circle_page(circle, reader) and len(selectors.feed_items(reader)) == 1
    assert list(report.events.values_list("action", flat=True)) == ["submitted", "hidden", "dismissed", "restored"]


def test_an_upheld_report_removes_the_content_for_good(circle, staff_user, scene):
    author, reporter, reader, posted = scene
    report = reports.report_submit(kind="circle_post", target=posted, reason="abuse", reporter=reporter)
    reports.report_transition(report=report, target="upheld", actor=staff_user, outcome="骚扰信息，已删除")
    assert CirclePost.objects.get(pk=posted.pk).visibility == "removed"
    assert FeedItem.objects.get(ref=f"circle_post:{posted.pk}").visibility == "removed"
    assert "wx123" not in _circle_page(circle, reader)
    assert ReportEvent.objects.filter(report=report, action="removed").exists()


def test_the_author_of_removed_content_is_told_why_in_plain_words_never_who_reported(circle, staff_user, scene):
    from django.core import mail
    from django.utils import timezone

    from jusha.community.models import Notification
    from jusha.community.notifications import digest_send

    author, reporter, reader, posted = scene
    report = reports.report_submit(kind="circle_post", target=posted, reason="abuse", reporter=reporter)
    assert not Notification.objects.filter(user=author, kind="content_removed").exists()  # hidden pending review: not yet
    reports.report_transition(report=report, target="upheld", actor=staff_user, outcome="骚扰信息，已删除")
    notice = Notification.objects.get(user=author, kind="content_removed")
    assert "circle post" in notice.text and "加微信领红包" in notice.text and "骚扰信息，已删除" in notice.text
    assert "reporter" not in notice.text and notice.url == f"/community/circles/{circle.slug}/"
    assert not Notification.objects.filter(kind="content_removed").exclude(user=author).exists()
    # In the app, and in the daily e-mail like everything else community tells members.
    page = browser(author).get("/community/notifications/").content.decode()
    assert "骚扰信息，已删除" in page
    from django.test import TestCase

    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        digest_send(now=timezone.now() + timezone.timedelta(days=1))
    sent = [m for m in mail.outbox if author.email in m.to]
    assert len(sent) == 1 and "骚扰信息，已删除" in sent[0].body and reporter.email not in sent[0].body
    # A dismissed report tells the author nothing (their post is simply shown again).
    other = circle_services.post_create(circle=circle, body="周末一起去敬老院", actor=author)
    second = reports.report_submit(kind="circle_post", target=other, reason="spam", reporter=reporter)
    reports.report_transition(report=second, target="dismissed", actor=staff_user, outcome="没有问题")
    assert Notification.objects.filter(user=author, kind="content_removed").count() == 1


def test_content_stays_hidden_while_another_report_about_it_is_open(circle, staff_user, scene):
    author, reporter, reader, posted = scene
    other = reports.report_submit(kind="circle_post", target=posted, reason="abuse", contact="a guest")
    first = reports.report_submit(kind="circle_post", target=posted, reason="spam", reporter=reporter)
    assert list(first.events.values_list("action", flat=True)) == ["submitted", "hidden"]
    reports.report_transition(report=first, target="dismissed", actor=staff_user, outcome="ok")
    assert CirclePost.objects.get(pk=posted.pk).visibility == "hidden"
    reports.report_transition(report=other, target="dismissed", actor=staff_user, outcome="ok")
    assert CirclePost.objects.get(pk=posted.pk).visibility == "visible"


def test_own_content_cannot_be_reported_and_nothing_changes(client, circle, scene):
    author, _reporter, _reader, posted = scene
    response = post(client, "/api/v1/reports", {"kind": "circle_post", "key": str(posted.pk), "reason": "spam"},
                    **bearer(author))
    assert response.status_code == 422 and response.json()["code"] == "own_target"
    page = browser(author).post(f"/reports/new/?kind=circle_post&key={posted.pk}", {"reason": "spam"})
    assert page.status_code == 422
    assert Report.objects.count() == 0 and CirclePost.objects.get(pk=posted.pk).visibility == "visible"


def test_a_comment_is_reported_through_the_page(circle, scene):
    author, reporter, reader, posted = scene
    said = circle_services.comment_create(post=posted, body="你们都是骗子", actor=author)
    assert f"kind=comment&amp;key={said.pk}" in _circle_page(circle, reporter)
    form = browser(reporter).get(f"/reports/new/?kind=comment&key={said.pk}")
    assert form.status_code == 200
    text = form.content.decode()
    assert 'value="abuse"' in text and 'value="fraud"' not in text  # a comment is not a fraud
    sent = browser(reporter).post(f"/reports/new/?kind=comment&key={said.pk}", {"reason": "abuse", "details": "辱骂"})
    assert sent.status_code == 302
    assert Comment.objects.get(pk=said.pk).visibility == "hidden"
    assert "你们都是骗子" not in _circle_page(circle, reader)


def test_team_pages_and_updates_are_reportable(client, team, captain):
    update = services.team_update_post(team=team, body="<p>今天送了 20 个暖包</p>", actor=captain)
    reporter = make_user("r2@example.org")
    page = browser(reporter).get(f"/community/teams/{team.slug}/").content.decode()
    assert f"kind=team&amp;key={team.slug}" in page and f"kind=team_update&amp;key={update.pk}" in page
    assert f"kind=team&amp;key={team.slug}" not in browser(captain).get(f"/community/teams/{team.slug}/").content.decode()

    response = post(client, "/api/v1/reports", {"kind": "team_update", "key": str(update.pk), "reason": "false_information"},
                    **bearer(reporter))
    assert response.status_code == 201
    assert TeamUpdate.objects.get(pk=update.pk).visibility == "hidden"
    response = post(client, "/api/v1/reports", {"kind": "team", "key": team.slug, "reason": "spam"}, **bearer(reporter))
    assert response.status_code == 201
    assert Team.objects.get(pk=team.pk).visibility == "hidden"
    assert client.get(f"/api/v1/teams/{team.slug}").status_code == 404


def test_a_guests_report_is_queued_but_hides_nothing(client, circle, scene):
    _author, _reporter, reader, posted = scene
    response = post(client, "/api/v1/reports", {"kind": "circle_post", "key": str(posted.pk), "reason": "spam"})
    assert response.status_code == 201 and Report.objects.get().reporter is None
    assert CirclePost.objects.get(pk=posted.pk).visibility == "visible"


@pytest.mark.parametrize("body,status", [
    ({"kind": "circle_post", "reason": "spam"}, 422),  # no key
    ({"kind": "share_link", "key": "abc", "reason": "other"}, 422),  # share links keep social's own flow
    ({"kind": "nonsense", "key": "1", "reason": "spam"}, 422),
    ({"kind": "circle_post", "key": "KEY", "reason": "fraud"}, 422),  # not a reason for a post
    ({"kind": "circle_post", "key": "999999", "reason": "spam"}, 404),
    ({"kind": "circle_post", "key": "abc", "reason": "spam"}, 404),
    ({"kind": "circle_post", "key": "KEY", "project": "p", "reason": "spam"}, 422),  # two targets
])
def test_bad_report_bodies_change_nothing(client, circle, scene, body, status):
    posted = scene[3]
    body = {k: (str(posted.pk) if v == "KEY" else v) for k, v in body.items()}
    response = post(client, "/api/v1/reports", body, **bearer(make_user()))
    assert response.status_code == status, response.content
    assert Report.objects.count() == 0 and CirclePost.objects.get(pk=posted.pk).visibility == "visible"


def test_a_hidden_post_is_unknown_to_other_reporters(client, circle, scene):
    _author, reporter, _reader, posted = scene
    reports.report_submit(kind="circle_post", target=posted, reason="spam", reporter=reporter)
    again = post(client, "/api/v1/reports", {"kind": "circle_post", "key": str(posted.pk), "reason": "spam"},
                 **bearer(make_user()))
    assert again.status_code == 404 and Report.objects.count() == 1


def test_the_author_sees_their_own_post_marked_hidden_while_staff_review_it(circle, staff_user, scene):
    author, reporter, reader, posted = scene
    report = reports.report_submit(kind="circle_post", target=posted, reason="spam", reporter=reporter)
    mine = _circle_page(circle, author)
    assert "wx123" in mine and 'data-testid="post-under-review"' in mine
    assert "Hidden while staff review a report." in mine
    assert f'action="/community/posts/{posted.pk}/comments/' not in mine  # no comments on it meanwhile
    for other in (reader, reporter, None):  # nobody else sees it, nor the mark
        page = _circle_page(circle, other)
        assert "wx123" not in page and "post-under-review" not in page
    chinese = browser(author).get(f"/community/circles/{circle.slug}/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "因被举报，工作人员审核期间已隐藏。" in chinese
    # Staff find nothing wrong: shown to all again, unmarked.
    reports.report_transition(report=report, target="dismissed", actor=staff_user, outcome="ok")
    mine = _circle_page(circle, author)
    assert "wx123" in mine and "post-under-review" not in mine
    # Upheld: removed, the author no longer sees it either.
    again = reports.report_submit(kind="circle_post", target=posted, reason="abuse", contact="a guest")
    reports.report_transition(report=again, target="upheld", actor=staff_user, outcome="广告")
    assert "wx123" not in _circle_page(circle, author)
