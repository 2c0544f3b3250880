"""What the platform's reports app calls: reported content is hidden pending review (from
pages, the API and feeds; its author still sees it), then restored or removed by staff."""

import pytest

from jusha.community import circle_services, moderation, rules, selectors, services
from jusha.community.models import CirclePost, FeedItem, Team
from jusha.core.errors import NotFound, TransitionRefused
from jusha.core.models import AuditLog
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_reported_post_is_hidden_until_staff_restore_or_remove_it(client, circle, staff_user):
    author, reader = make_user("a@example.org"), make_user("r@example.org")
    circle_services.circle_join(circle=circle, actor=author)
    services.follow_start(actor=reader, source=rules.key("c", circle.pk))
    post = circle_services.post_create(circle=circle, body="可疑的链接", actor=author)
    assert len(selectors.feed_items(reader)) == 1

    moderation.content_hide(kind="circle_post", pk=post.pk, reason="report 1")  # the platform, on a report
    assert CirclePost.objects.get(pk=post.pk).visibility == "hidden"
    assert "可疑的链接" not in client.get(f"/community/circles/{circle.slug}/").content.decode()
    assert client.get(f"/api/v1/circles/{circle.slug}").json()["posts"] == []
    assert selectors.feed_items(reader) == []
    with pytest.raises(TransitionRefused):
        moderation.content_restore(kind="circle_post", pk=post.pk, actor=reader)  # not staff
    summary = moderation.content_summary(kind="circle_post", pk=post.pk)
    assert summary["text"] == "可疑的链接" and summary["author"] == author

    moderation.content_restore(kind="circle_post", pk=post.pk, actor=staff_user)
    assert len(selectors.feed_items(reader)) == 1
    moderation.content_remove(kind="circle_post", pk=post.pk, actor=staff_user)
    assert FeedItem.objects.get(ref=f"circle_post:{post.pk}").visibility == "removed"
    assert AuditLog.objects.filter(action__startswith="community.circle_post.").count() == 3
    with pytest.raises(NotFound):
        moderation.content_hide(kind="nonsense", pk=1)


def test_a_hidden_team_is_gone_for_everyone_but_its_captain_and_takes_no_gifts(client, team, project):
    moderation.content_hide(kind="team", pk=team.pk)
    assert client.get(f"/community/teams/{team.slug}/").status_code == 404
    assert client.get(f"/api/v1/teams/{team.slug}").status_code == 404
    from tests.community.conftest import donate

    assert donate(client, project.slug, {"amount": 1000, "team": team.slug}).status_code == 422
    client.force_login(team.captain)
    assert "hidden while reports" in client.get(f"/community/teams/{team.slug}/").content.decode()
    assert Team.objects.get(pk=team.pk).visibility == "hidden"
