"""Following and the feed: one-way follows, friends, what reaches whom, the hidden-gift
count never below three, blocks, notifications with opt-outs and the daily digest, and a
constant number of queries whatever the number of sources followed."""

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from jusha.community import circle_services, notifications, rules, selectors, services
from jusha.community.models import FeedItem, Follow, MemberSettings, Notification, NotificationOptOut
from jusha.projects.services import update_post
from tests.community.conftest import bearer, post
from tests.factories import give, make_member, make_org, make_project, make_user

pytestmark = pytest.mark.django_db


def befriend(a, b):
    services.follow_start(actor=a, source=rules.key("u", b.pk))
    services.follow_start(actor=b, source=rules.key("u", a.pk))


def titles(user):
    return [item.title for item in selectors.feed_items(user)]


def test_following_is_one_way_and_refuses_oneself_twice_and_nothing(client, donor):
    other = make_user("other@example.org")
    auth = bearer(donor)
    assert post(client, "/api/v1/follows", {"source": f"u:{other.pk}"}, **auth).status_code == 201
    before = Follow.objects.count()
    for body, status, code in [
        ({"source": f"u:{donor.pk}"}, 422, "cannot_follow_self"),
        ({"source": f"u:{other.pk}"}, 409, "already_following"),
        ({"source": "u:999999"}, 404, "not_found"),
        ({"source": "t:1"}, 422, "invalid_source"),
        ({"source": "drop table"}, 422, "invalid_source"),
    ]:
        response = post(client, "/api/v1/follows", body, **auth)
        assert response.status_code == status and response.json()["code"] == code, body
    assert Follow.objects.count() == before
    assert selectors.friend_count(donor) == 0 and selectors.friend_count(other) == 0  # one-way
    services.follow_start(actor=other, source=f"u:{donor.pk}")
    assert selectors.friend_count(donor) == 1
    assert Notification.objects.filter(user=other, kind="new_follower").count() == 1
    assert client.delete(f"/api/v1/follows/u:{other.pk}", **auth).status_code == 204
    assert client.delete(f"/api/v1/follows/u:{other.pk}", **auth).status_code == 404


def test_the_feed_has_what_was_followed_and_nothing_else(client, project, donor, staff):
    editor = make_member(project.organisation, "editor")
    circle = circle_services.circle_create(kind="cause", cause="elders", actor=staff)
    poster = make_user("poster@example.org")
    circle_services.circle_join(circle=circle, actor=poster)
    services.follow_start(actor=donor, source=rules.key("o", project.organisation_id))
    services.follow_start(actor=donor, source=rules.key("c", circle.pk))
    update_post(project=project, actor=editor, title="第一批温暖包已送达", body="送到了")
    circle_services.post_create(circle=circle, body="周末去敬老院", actor=poster)
    elsewhere = make_project(org=make_org(name="别的机构"))
    update_post(project=elsewhere, actor=make_member(elsewhere.organisation, "editor"), title="不相干", body="x")
    body = client.get("/api/v1/feed", **bearer(donor)).json()
    assert body["count"] == 2
    assert [i["kind"] for i in body["items"]] == ["circle_post", "project_update"]
    assert "第一批温暖包已送达" in body["items"][1]["title"]
    assert client.get("/api/v1/feed").status_code == 401


def test_friends_gifts_show_only_if_chosen_else_three_friends_supported(project, donor):
    friends = [make_user(f"f{i}@example.org", display_name=f"朋友{i}") for i in range(4)]
    for friend in friends:
        befriend(donor, friend)
    MemberSettings.objects.create(user=friends[0], show_gifts_to_friends=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        give(project, 1000, donor=friends[0])
        give(project, 1000, donor=friends[1])
        give(project, 1000, donor=friends[2])
    shown = [i for i in selectors.feed_items(donor) if i.kind == "gift"]
    assert [i.actor_id for i in shown] == [friends[0].pk]
    assert selectors.friends_supported(donor) == []  # two hidden gifts: never told
    give(project, 1000, donor=friends[3], anonymous=True)  # anonymous: hidden even with the setting
    supported = selectors.friends_supported(donor)
    assert [(s.slug, s.friends) for s in supported] == [(project.slug, 3)]
    stranger = make_user("stranger@example.org")
    services.follow_start(actor=stranger, source=rules.key("u", friends[0].pk))  # follows, not a friend
    assert [i for i in selectors.feed_items(stranger) if i.kind == "gift"] == []


def test_a_followers_feed_shows_a_team_update_and_blocking_hides_it(project, donor):
    captain = make_user("cap@example.org")
    team = services.team_create(project=project, name="小队", goal=10_000, actor=captain)
    services.follow_start(actor=donor, source=rules.key("u", captain.pk))
    services.team_update_post(team=team, body="我们过半了", actor=captain)
    assert any(item.kind == "team_update" or item.kind == "team_opened" for item in selectors.feed_items(donor))
    member = make_user("m@example.org")
    services.team_join(team=team, actor=member)
    services.team_update_post(team=team, body="第二条", actor=captain)
    assert [i.excerpt for i in selectors.feed_items(member) if i.kind == "team_update"] == ["第二条", "我们过半了"]
    services.member_block(actor=member, blocked_id=captain.pk)
    assert [i for i in selectors.feed_items(member) if i.actor_id == captain.pk] == []


def test_the_feed_takes_a_constant_number_of_queries(project, donor, staff):
    def sources(n):
        for i in range(n):
            other = make_user(f"s{n}-{i}@example.org")
            befriend(donor, other)
            FeedItem.objects.create(source=rules.key("u", other.pk), kind="team_opened", ref=f"x{n}-{i}", actor=other,
                                    title="t", url="/", created_at=project.created_at)

    sources(3)
    def read():
        known = selectors.feed_sources(donor)
        return selectors.feed_items(donor, count=True, sources=known), selectors.friends_supported(donor, sources=known)

    with CaptureQueriesContext(connection) as small:
        read()
    sources(40)
    with CaptureQueriesContext(connection) as large:
        (items, count), _supported = read()
    assert count == 43 and len(items) == 30
    assert len(large) == len(small) == 4  # the sources (one UNION), the page, its count, the hidden gifts


def test_notification_opt_outs_and_the_daily_digest(client, project, donor):
    captain = make_user("digest-captain@example.org")
    team = services.team_create(project=project, name="小队", goal=10_000, actor=captain)
    services.team_join(team=team, actor=donor)
    NotificationOptOut.objects.create(user=donor, kind="team_update", channel="email")
    services.team_update_post(team=team, body="一", actor=captain)
    services.follow_start(actor=captain, source=rules.key("u", donor.pk))
    assert Notification.objects.filter(user=donor).count() == 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert notifications.digest_send() == 2  # the captain (someone joined) and the donor
    to_donor = [m for m in mail.outbox if m.to == [donor.email]]
    assert len(to_donor) == 1 and "followed you" in to_donor[0].body and "News from" not in to_donor[0].body
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert notifications.digest_send() == 0  # each notification is digested once
    NotificationOptOut.objects.create(user=donor, kind="team_update", channel="app")
    services.team_update_post(team=team, body="二", actor=captain)  # off in both: not even written
    assert Notification.objects.filter(user=donor, kind="team_update").count() == 1
    listed = client.get("/api/v1/notifications", **bearer(donor)).json()
    assert [n["kind"] for n in listed["items"]] == ["new_follower"]  # muted in the app
    client.force_login(donor)
    assert client.get("/community/notifications/").status_code == 200
    response = client.post("/community/settings/", {"show_gifts_to_friends": "1", "new_follower:app": "1"})
    assert response.status_code == 302
    assert MemberSettings.objects.get(user=donor).show_gifts_to_friends
    assert set(NotificationOptOut.objects.filter(user=donor).values_list("kind", "channel")) == {
        (k, c) for k in Notification.Kind.values for c in ("app", "email")} - {("new_follower", "app")}


def test_pages_of_people_and_the_feed(client, donor):
    other = make_user("page@example.org", display_name="小李")
    client.force_login(donor)
    assert client.get(f"/community/people/{other.pk}/").status_code == 200
    assert client.post("/community/follow/", {"source": f"u:{other.pk}"}).status_code == 302
    assert Follow.objects.filter(follower=donor).count() == 1
    assert client.post("/community/follow/", {"source": f"u:{donor.pk}"}).status_code == 302  # a message, nothing else
    assert Follow.objects.count() == 1
    assert client.get("/community/").status_code == 200
    assert client.get("/community/settings/").status_code == 200
    assert client.post(f"/community/people/{other.pk}/block/").status_code == 302
    assert Follow.objects.count() == 1
    client.force_login(other)
    assert client.post("/community/follow/", {"source": f"u:{donor.pk}"}).status_code == 403  # blocked
    assert Follow.objects.count() == 1


def test_listed_and_subquery_keys_read_the_same_feed_to_its_depth(monkeypatch, client, project, donor, staff):
    """A sparse feed names its keys in the query, a dense one keeps them as subqueries
    (selectors.LISTED_KEYS): both read the same items, blocked members' left out; the feed
    reaches back FEED_DEPTH items (the API's count stops there); following nothing reads nothing."""
    circle = circle_services.circle_create(kind="cause", cause="elders", actor=staff)
    services.follow_start(actor=donor, source=rules.key("c", circle.pk))
    friends = [make_user(f"f{i}@example.org") for i in range(3)]
    for i, friend in enumerate(friends):
        befriend(donor, friend)
        circle_services.circle_join(circle=circle, actor=friend)
        circle_services.post_create(circle=circle, body=f"帖子{i}", actor=friend)
        FeedItem.objects.create(source=rules.key("u", friend.pk), kind="gift", ref=f"g{i}", actor=friend, public=True,
                                title=f"gift {i}", url="/", created_at=project.created_at)
    services.member_block(actor=donor, blocked_id=friends[2].pk)  # unfriends and hides them
    listed = [item.pk for item in selectors.feed_items(donor)]
    monkeypatch.setattr(selectors, "LISTED_KEYS", 1)
    assert [item.pk for item in selectors.feed_items(donor)] == listed
    assert len(listed) == 4 and all(item.actor_id != friends[2].pk for item in selectors.feed_items(donor))

    monkeypatch.setattr(selectors, "FEED_DEPTH", 3)
    body = client.get("/api/v1/feed?limit=2", **bearer(donor)).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert client.get("/api/v1/feed?offset=3", **bearer(donor)).json()["items"] == []

    newcomer = make_user("new@example.org")
    with CaptureQueriesContext(connection) as reads:
        assert selectors.feed_items(newcomer, sources=selectors.feed_sources(newcomer)) == []
    assert len(reads) == 1  # its keys, then nothing
