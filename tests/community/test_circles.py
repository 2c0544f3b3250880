"""Interest circles: by cause and region, joining and leaving, posts and comments, the page
with its projects and totals, gatherings with capacity and a sign-up list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.community import circle_services
from jusha.community.models import Circle, CircleMember, CirclePost, Comment, GatheringSignup
from jusha.core.errors import Conflict, Forbidden, Invalid, RateLimited, TooLarge
from tests.community.conftest import bearer, post
from tests.factories import give, make_project, make_user

pytestmark = pytest.mark.django_db


def test_circles_by_cause_and_region_list_their_projects(client, circle, staff_user):
    elders = make_project(cause="elders", title="温暖包送老人", region_code="110105")
    make_project(cause="education", title="图书角", region_code="440305")
    give(elders, 5000)
    region = circle_services.circle_create(kind="region", region="110000", actor=staff_user)
    assert region.name and region.slug == "region-110000"
    listing = client.get("/api/v1/circles").json()
    assert listing["count"] == 2
    assert client.get("/api/v1/circles?kind=region").json()["items"][0]["region"] == "110000"
    detail = client.get(f"/api/v1/circles/{circle.slug}").json()
    assert detail["projects"] == [elders.slug]
    assert detail["totals"]["raised"] == 5000
    assert client.get(f"/api/v1/circles/{region.slug}").json()["projects"] == [elders.slug]
    page = client.get(f"/community/circles/{circle.slug}/").content.decode()
    assert "温暖包送老人" in page and "图书角" not in page
    assert client.get("/community/circles/").status_code == 200


def test_only_staff_open_circles_and_one_per_cause(staff_user):
    with pytest.raises(Forbidden):
        circle_services.circle_create(kind="cause", cause="health", actor=make_user())
    circle_services.circle_create(kind="cause", cause="health", actor=staff_user)
    with pytest.raises(Conflict):
        circle_services.circle_create(kind="cause", cause="health", actor=staff_user)
    with pytest.raises(Invalid):
        circle_services.circle_create(kind="region", region="999999", actor=staff_user)
    assert Circle.objects.count() == 1


def test_join_twice_leave_and_post(client, circle):
    member = make_user("circle@example.org")
    auth = bearer(member)
    before = CirclePost.objects.count()
    refused = post(client, f"/api/v1/circles/{circle.slug}/posts", {"body": "你好"}, **auth)
    assert refused.status_code == 403 and CirclePost.objects.count() == before
    assert post(client, f"/api/v1/circles/{circle.slug}/members", **auth).status_code == 201
    again = post(client, f"/api/v1/circles/{circle.slug}/members", **auth)
    assert again.status_code == 409 and CircleMember.objects.count() == 1
    created = post(client, f"/api/v1/circles/{circle.slug}/posts", {"body": "周末去敬老院？"}, **auth)
    assert created.status_code == 201 and created.json()["author"] == member.public_name
    as_other = post(client, f"/api/v1/circles/{circle.slug}/posts", {"body": "x", "author": 1}, **auth)
    assert as_other.status_code == 422 and CirclePost.objects.count() == 1  # nobody posts as someone else
    too_long = post(client, f"/api/v1/circles/{circle.slug}/posts", {"body": "字" * 2001}, **auth)
    assert too_long.status_code == 413 and CirclePost.objects.count() == 1
    assert client.delete(f"/api/v1/circles/{circle.slug}/members", **auth).status_code == 204
    assert client.delete(f"/api/v1/circles/{circle.slug}/members", **auth).status_code == 404


def test_posting_is_rate_limited(settings, circle):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "community_post": (2, 600)}
    member = make_user()
    circle_services.circle_join(circle=circle, actor=member)
    circle_services.post_create(circle=circle, body="1", actor=member)
    circle_services.post_create(circle=circle, body="2", actor=member)
    with pytest.raises(RateLimited):
        circle_services.post_create(circle=circle, body="3", actor=member)
    assert CirclePost.objects.count() == 2


def test_joining_and_announcing_gatherings_are_rate_limited(client, settings, circle, staff_user, project):
    """Each join tells a captain (and friends' feeds), each gathering every member of the
    circle: floods are refused with 429 and Retry-After, nothing written."""
    from jusha.community import services
    from jusha.community.models import Gathering, TeamMember

    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "community_join": (2, 600),
                                  "community_gathering": (1, 3600)}
    member = make_user()
    other = circle_services.circle_create(kind="cause", cause="children", actor=staff_user)
    circle_services.circle_join(circle=circle, actor=member)
    circle_services.circle_join(circle=other, actor=member)
    team = services.team_create(project=project, name="小队", goal=10_000, actor=make_user())
    refused = post(client, f"/api/v1/teams/{team.slug}/members", **bearer(member))
    assert refused.status_code == 429 and "Retry-After" in refused
    assert not TeamMember.objects.filter(user=member).exists()

    later = timezone.now() + timedelta(days=3)
    circle_services.gathering_create(circle=circle, title="探访", place="敬老院", capacity=5, starts_at=later,
                                     actor=staff_user)
    with pytest.raises(RateLimited):
        circle_services.gathering_create(circle=circle, title="再探访", place="敬老院", capacity=5, starts_at=later,
                                         actor=staff_user)
    assert Gathering.objects.count() == 1


def test_posts_and_comments_keep_only_safe_text(client, circle):
    """Rich text is sanitised (nh3): no scripts, handlers or javascript: links; comments are plain text."""
    member = make_user()
    circle_services.circle_join(circle=circle, actor=member)
    written = circle_services.post_create(
        circle=circle, actor=member,
        body='<p>周末<script>alert(1)</script><a href="javascript:alert(2)">看看</a><img src=x onerror=alert(3)></p>')
    assert "script" not in written.body and "javascript" not in written.body and "onerror" not in written.body
    assert "周末" in written.body and "看看" in written.body
    said = circle_services.comment_create(post=written, body="<b>好</b><script>x()</script>", actor=member)
    assert said.body == "好"
    page = client.get(f"/community/circles/{circle.slug}/").content.decode()
    assert "alert(" not in page and "周末" in page


def test_comments_and_blocking(client, circle):
    author, reader = make_user("author@example.org"), make_user("reader@example.org")
    for user in (author, reader):
        circle_services.circle_join(circle=circle, actor=user)
    the_post = circle_services.post_create(circle=circle, body="周末一起去", actor=author)
    circle_services.comment_create(post=the_post, body="好呀", actor=reader)
    with pytest.raises(TooLarge):
        circle_services.comment_create(post=the_post, body="字" * 501, actor=reader)
    client.force_login(reader)
    assert "周末一起去" in client.get(f"/community/circles/{circle.slug}/").content.decode()
    assert client.post(f"/community/people/{author.pk}/block/").status_code == 302
    assert "周末一起去" not in client.get(f"/community/circles/{circle.slug}/").content.decode()
    from django.test import Client

    assert "周末一起去" in Client().get(f"/api/v1/circles/{circle.slug}").json()["posts"][0]["body"]  # others still see it
    with pytest.raises(Forbidden):  # the blocked author cannot answer the blocker's posts either
        mine = circle_services.post_create(circle=circle, body="我的帖子", actor=reader)
        circle_services.comment_create(post=mine, body="hi", actor=author)
    assert Comment.objects.count() == 1


def test_gatherings_have_a_capacity_and_a_sign_up_list(client, circle, staff_user):
    organiser, first, second = make_user("org@example.org"), make_user("a@example.org"), make_user("b@example.org")
    circle_services.circle_organiser_set(circle=circle, user=organiser, actor=staff_user)
    with pytest.raises(Forbidden):
        circle_services.gathering_create(circle=circle, title="探访", place="敬老院", capacity=1,
                                         starts_at=timezone.now() + timedelta(days=3), actor=first)
    with pytest.raises(Invalid):
        circle_services.gathering_create(circle=circle, title="探访", place="敬老院", capacity=1,
                                         starts_at=timezone.now() - timedelta(days=3), actor=organiser)
    gathering = circle_services.gathering_create(circle=circle, title="探访敬老院", place="朝阳区某敬老院", capacity=1,
                                                 starts_at=timezone.now() + timedelta(days=3), actor=organiser)
    circle_services.gathering_signup(gathering=gathering, actor=first)
    with pytest.raises(Conflict):
        circle_services.gathering_signup(gathering=gathering, actor=first)
    with pytest.raises(Conflict):
        circle_services.gathering_signup(gathering=gathering, actor=second)  # full
    assert GatheringSignup.objects.count() == 1
    client.force_login(organiser)
    page = client.get(f"/community/gatherings/{gathering.pk}/").content.decode()
    assert "a@example.org" in page  # the organiser sees the sign-up list
    client.force_login(second)
    assert "a@example.org" not in client.get(f"/community/gatherings/{gathering.pk}/").content.decode()
    with pytest.raises(Conflict):
        circle_services.gathering_cancel(gathering=gathering, actor=second)
    circle_services.gathering_cancel(gathering=gathering, actor=organiser)
    with pytest.raises(Conflict):
        circle_services.gathering_signup(gathering=gathering, actor=second)


def test_circle_pages_for_members(client, circle, staff_user):
    member = make_user()
    client.force_login(member)
    assert client.post(f"/community/circles/{circle.slug}/join/").status_code == 302
    assert client.post(f"/community/circles/{circle.slug}/posts/", {"body": "大家好"}).status_code == 302
    the_post = CirclePost.objects.get()
    assert client.post(f"/community/posts/{the_post.pk}/comments/", {"body": "你好"}).status_code == 302
    assert client.post(f"/community/circles/{circle.slug}/join/").status_code == 302  # twice: a message, nothing new
    assert CircleMember.objects.count() == 1
    assert client.get(f"/community/circles/{circle.slug}/gatherings/new/").status_code == 200
    response = client.post(f"/community/circles/{circle.slug}/gatherings/new/", {
        "title": "x", "place": "y", "capacity": "3", "starts_at": "2099-01-01T10:00"})
    assert response.status_code == 403  # not an organiser
    client.force_login(staff_user)
    response = client.post(f"/community/circles/{circle.slug}/gatherings/new/", {
        "title": "探访", "place": "敬老院", "capacity": "3", "starts_at": "2099-01-01T10:00"})
    assert response.status_code == 302
