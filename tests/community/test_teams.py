"""Teams (一起捐): opening one, gifts through it counting toward the team and the project
exactly once, refunds, milestones, members, updates, its share link and poster, and bad
input that changes nothing."""

import pytest
from django.test import TestCase

from jusha.community import services
from jusha.community.selectors import team_figures
from jusha.community.models import FeedItem, Notification, Team, TeamGift, TeamMember, TeamMilestone, TeamUpdate
from jusha.core import events
from jusha.giving.models import Donation
from jusha.projects.selectors import project_sums
from jusha.social.models import Attribution
from tests.community.conftest import bearer, donate, pay, post
from tests.factories import give, make_member, make_project, make_user, png_bytes
from tests.gifts import refund

pytestmark = pytest.mark.django_db


def raised(project):
    return project_sums([project.pk])[project.pk].raised


def state():
    return (Team.objects.count(), TeamMember.objects.count(), TeamGift.objects.count(), Donation.objects.count(),
            TeamUpdate.objects.count(), Notification.objects.count(), FeedItem.objects.count())


# --- opening a team ----------------------------------------------------------------------

def test_a_member_opens_a_team_by_api(client, project, captain):
    response = post(client, f"/api/v1/projects/{project.slug}/teams",
                    {"name": "阳光小队", "goal": 200_000, "story": "<p>一起<script>x</script>送温暖</p>"}, **bearer(captain))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["goal"] == 200_000 and body["raised"] == 0 and body["members"] == 1 and body["donors"] == 0
    assert body["project"] == project.slug and body["slug"].isascii()
    assert "<script>" not in body["story"] and "送温暖" in body["story"]
    detail = client.get(f"/api/v1/teams/{body['slug']}").json()
    assert {k: detail[k] for k in ("slug", "project", "raised", "goal", "donors", "members")} == {
        "slug": body["slug"], "project": project.slug, "raised": 0, "goal": 200_000, "donors": 0, "members": 1}
    assert client.get(f"/api/v1/projects/{project.slug}/teams").json()["count"] == 1


@pytest.mark.parametrize("body, status, code", [
    ({"name": "队", "goal": 0}, 422, "goal_not_positive"),
    ({"name": "队", "goal": -100}, 422, "goal_not_positive"),
    ({"name": "队", "goal": 10**15}, 422, "goal_above_project"),
    ({"name": "队", "goal": "100"}, 422, "invalid"),
    ({"name": "", "goal": 10_000}, 422, "field_required"),
    ({"name": "队", "goal": 10_000, "story": "字" * 5001}, 413, "text_too_long"),
    ({"name": "队", "goal": 10_000, "captain": 1}, 422, "invalid"),  # nobody opens a team in another's name
])
def test_bad_teams_are_refused_and_nothing_changes(client, project, captain, body, status, code):
    before = state()
    response = post(client, f"/api/v1/projects/{project.slug}/teams", body, **bearer(captain))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert state() == before


def test_no_team_on_a_project_that_is_not_fundraising_nor_for_a_guest(client, captain):
    closed = make_project(status="funded")
    before = state()
    response = post(client, f"/api/v1/projects/{closed.slug}/teams", {"name": "队", "goal": 10_000}, **bearer(captain))
    # A funded project says so (the cooler's code, issue 17), not merely "not fundraising".
    assert response.status_code == 409 and response.json()["code"] == "project_fully_funded"
    draft = make_project(status="draft")
    assert post(client, f"/api/v1/projects/{draft.slug}/teams", {"name": "队", "goal": 10_000}, **bearer(captain)).status_code == 404
    open_project = make_project()
    assert post(client, f"/api/v1/projects/{open_project.slug}/teams", {"name": "队", "goal": 10_000}).status_code == 401
    assert state() == before


def test_an_oversized_or_fake_cover_is_refused(project, captain):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jusha.core.errors import Invalid, TooLarge

    before = state()
    with pytest.raises(Invalid):
        services.team_create(project=project, name="队", goal=10_000, actor=captain,
                             cover=SimpleUploadedFile("x.png", b"<svg></svg>", content_type="image/png"))
    with pytest.raises(TooLarge):
        services.team_create(project=project, name="队", goal=10_000, actor=captain,
                             cover=SimpleUploadedFile("x.png", b"\x89PNG" + b"0" * (20 * 1024 * 1024), content_type="image/png"))
    assert state() == before
    team = services.team_create(project=project, name="队", goal=10_000, actor=captain,
                                cover=SimpleUploadedFile("x.png", png_bytes((400, 300)), content_type="image/png"))
    assert team.cover.name.startswith("teams/")


# --- gifts through a team -------------------------------------------------------------

def test_guest_gifts_through_a_team_count_for_the_team_and_the_project(client, project, team):
    before = raised(project)
    ids = []
    for amount in (3000, 5000):
        response = donate(client, project.slug, {"amount": amount, "team": team.slug})
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    assert client.get(f"/api/v1/teams/{team.slug}").json()["raised"] == 0  # not yet paid
    for donation_id in ids:
        pay(client, donation_id)
    body = client.get(f"/api/v1/teams/{team.slug}").json()
    assert body["raised"] == 8000 and body["donors"] == 2  # each guest gift is one donor
    assert raised(project) - before == 8000


def test_a_members_gifts_count_as_one_donor(project, team, donor):
    give(project, 1000, donor=donor, context={"team": team.slug})
    give(project, 2000, donor=donor, context={"team": team.slug})
    give(project, 4000, context={"team": team.slug})
    team.refresh_from_db()
    figures = team_figures(team)
    assert (figures.raised, figures.donors) == (7000, 2)


@pytest.mark.parametrize("which", ["unknown", "other_project"])
def test_a_gift_naming_an_unknown_or_foreign_team_is_refused_before_anything_is_written(client, project, captain, which):
    other = make_project()
    foreign = services.team_create(project=other, name="别队", goal=10_000, actor=captain)
    slug = "no-such-team" if which == "unknown" else foreign.slug
    before = state()
    response = donate(client, project.slug, {"amount": 3000, "team": slug})
    assert response.status_code == 422 and response.json()["code"] == "unknown_team"
    assert state() == before


def test_refunds_and_replayed_events_move_the_team_exactly_once(project, team):
    finance = make_member(project.organisation, "finance")
    gift = give(project, 10_000, context={"team": team.slug})
    team.refresh_from_db()
    assert team.raised == 10_000
    with TestCase.captureOnCommitCallbacks(execute=True):  # the same paid event again (a replay)
        events.gift_paid.announce(events.GiftPaid(donation=gift, overflow=False))
    team.refresh_from_db()
    assert team.raised == 10_000
    refund(gift, 4000, actor=finance)
    team.refresh_from_db()
    assert team.raised == 6000
    refund(gift, 6000, actor=finance)
    team.refresh_from_db()
    assert team.raised == 0 and not TeamGift.objects.get(pk=gift.pk).counted


def test_milestones_at_half_and_full_are_told_once(project, team, captain):
    friend = make_user("friend@example.org")
    services.team_join(team=team, actor=friend)
    give(project, 100_000, context={"team": team.slug})  # 50 %
    kinds = list(Notification.objects.filter(kind="team_milestone").values_list("user_id", flat=True))
    assert sorted(kinds) == sorted([captain.pk, friend.pk])
    give(project, 150_000, context={"team": team.slug})  # past 100 %
    assert Notification.objects.filter(kind="team_milestone").count() == 4
    assert set(TeamMilestone.objects.filter(team=team).values_list("percent", flat=True)) == {50, 100}


# --- members and updates --------------------------------------------------------------

def test_joining_twice_is_a_conflict(client, team):
    joiner = make_user("joiner@example.org")
    auth = bearer(joiner)
    assert post(client, f"/api/v1/teams/{team.slug}/members", **auth).status_code == 201
    before = state()
    again = post(client, f"/api/v1/teams/{team.slug}/members", **auth)
    assert again.status_code == 409 and again.json()["code"] == "already_member"
    assert state() == before
    assert client.get(f"/api/v1/teams/{team.slug}").json()["members"] == 2
    assert Notification.objects.filter(user=team.captain, kind="team_joined").count() == 1
    assert client.delete(f"/api/v1/teams/{team.slug}/members", **auth).status_code == 204
    assert client.delete(f"/api/v1/teams/{team.slug}/members", **bearer(team.captain)).status_code == 409


def test_only_the_captain_posts_updates_and_members_are_told(client, team):
    member = make_user("member@example.org")
    services.team_join(team=team, actor=member)
    before = state()
    response = post(client, f"/api/v1/teams/{team.slug}/updates", {"body": "我是队长"}, **bearer(member))
    assert response.status_code == 403 and response.json()["code"] == "not_captain"
    assert state() == before
    response = post(client, f"/api/v1/teams/{team.slug}/updates", {"body": "已经过半啦<img src=x onerror=alert(1)>"},
                    **bearer(team.captain))
    assert response.status_code == 201
    assert "onerror" not in response.json()["body"]
    assert Notification.objects.filter(user=member, kind="team_update").count() == 1
    assert FeedItem.objects.filter(kind="team_update", source=f"t:{team.pk}").count() == 1


# --- pages: the team page, its share link, the donate form, the poster -----------------

def test_team_page_shares_well_and_gives_through_the_team(client, project, team):
    html = client.get(f"/community/teams/{team.slug}/").content.decode()
    assert 'property="og:title"' in html and team.name in html
    assert f"/donations/new/{project.slug}/?team={team.slug}" in html
    donate_page = client.get(f"/donations/new/{project.slug}/?team={team.slug}").content.decode()
    assert f'name="team" value="{team.slug}"' in donate_page
    poster = client.get(f"/community/teams/{team.slug}/poster.svg")
    assert poster.status_code == 200 and poster["Content-Type"].startswith("image/svg+xml")
    assert team.name in poster.content.decode()
    project_page = client.get(f"/projects/{project.slug}/").content.decode()
    assert f"/community/teams/{team.slug}/" in project_page


def test_the_donate_form_counts_the_gift_for_the_team(client, project, team):
    page = client.get(f"/donations/new/{project.slug}/?team={team.slug}")
    key = page.context["form"].initial["idempotency_key"]
    response = client.post(f"/donations/new/{project.slug}/", {"custom": "30", "idempotency_key": key, "team": team.slug})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TeamGift.objects.filter(team=team).count() == 1
    bad = client.post(f"/donations/new/{project.slug}/", {"custom": "30", "idempotency_key": "k2", "team": "nope"})
    assert bad.status_code == 200 and "There is no such team" in bad.content.decode()
    assert TeamGift.objects.count() == 1 and Donation.objects.count() == 1


def test_a_members_team_link_attributes_gifts_to_them(client, project, team):
    from django.test import Client

    member = make_user("sharer@example.org")
    services.team_join(team=team, actor=member)
    client.force_login(member)
    assert client.post(f"/community/teams/{team.slug}/share/").status_code == 302
    url = client.get(f"/community/teams/{team.slug}/").context["share_url"]
    assert "?s=" in url
    guest = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36")
    assert guest.get(url).status_code == 200
    page = guest.get(f"/donations/new/{project.slug}/?team={team.slug}")
    key = page.context["form"].initial["idempotency_key"]
    assert guest.post(f"/donations/new/{project.slug}/", {"custom": "20", "idempotency_key": key, "team": team.slug}).status_code == 302
    gift = TeamGift.objects.get()
    assert gift.member_id == member.pk
    assert Attribution.objects.get(donation_id=gift.pk).link.owner_id == member.pk


def test_team_pages_for_members(client, project, team):
    client.force_login(team.captain)
    assert client.get(f"/community/projects/{project.slug}/teams/new/").status_code == 200
    response = client.post(f"/community/projects/{project.slug}/teams/new/", {"name": "第二队", "goal": "0"})
    assert response.status_code == 422 and Team.objects.count() == 1
    response = client.post(f"/community/projects/{project.slug}/teams/new/", {"name": "第二队", "goal": "500", "story": "好"})
    assert response.status_code == 302 and Team.objects.count() == 2
    assert client.post(f"/community/teams/{team.slug}/updates/", {"body": "进展"}).status_code == 302
    assert client.get(f"/community/projects/{project.slug}/teams/").status_code == 200
