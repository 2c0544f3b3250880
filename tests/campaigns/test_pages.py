"""Campaign pages: list, detail with live totals and countdown, the live fragment, results
after the window, applications by organisations and their review by staff."""


import pytest
from django.utils import timezone

from jusha.campaigns.models import Application, Campaign
from jusha.matching.models import Pool
from tests.factories import give, make_campaign, make_member, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def running():
    project = make_project(goal=10_000_000, title="Warm packs")
    campaign = make_campaign(projects=[project], title="Giving Day")
    pool = make_pool(campaign=campaign, budget=100_000)
    return campaign, pool, project


def test_list_detail_and_live_fragment(client, running):
    campaign, pool, project = running
    give(project, 5000, name="Xiaoyu")
    give(project, 3000, anonymous=True, name="Hidden")
    listing = client.get("/campaigns/")
    assert listing.status_code == 200 and "Giving Day" in listing.content.decode()
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "¥160.00" in page  # in all: 80 given + 80 matched
    assert "Xiaoyu" in page and "Hidden" not in page and "A kind guest" in page
    assert 'data-countdown' in page and f"/pools/{pool.pk}/" in page and 'hx-get="/campaigns/' in page
    live = client.get(f"/campaigns/{campaign.slug}/live/")
    assert live.status_code == 200 and live["Cache-Control"] == "no-cache" and "¥160.00" in live.content.decode()
    assert client.get("/campaigns/nope/").status_code == 404
    assert client.get(f"/campaigns/{make_campaign(publish=False).slug}/").status_code == 404


def test_results_only_after_the_window_with_seeds(client, running):
    campaign, pool, project = running
    give(project, 1000)
    response = client.get(f"/campaigns/{campaign.slug}/results/")
    assert response.status_code == 302
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=timezone.now())
    Pool.objects.filter(pk=pool.pk).update(ends_at=timezone.now())
    page = client.get(f"/campaigns/{campaign.slug}/results/").content.decode()
    assert pool.seed in page and pool.seed_hash in page and "¥20.00" in page
    detail = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "hx-get" not in detail  # no more polling once closed


def test_organisation_applies_and_staff_review_on_the_page(client):
    campaign = make_campaign()
    project = make_project()
    editor = make_member(project.organisation, "editor")
    client.force_login(editor)
    assert project.title in client.get(f"/campaigns/{campaign.slug}/apply/").content.decode()
    response = client.post(f"/campaigns/{campaign.slug}/apply/", {"project": project.slug, "pitch": "Please"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == "applied" and application.applied_by == editor

    url = f"/campaigns/{campaign.slug}/applications/{application.pk}/"
    client.post(url, {"target": "accepted"})  # not staff: refused, nothing changed
    application.refresh_from_db()
    assert application.status == "applied"
    other = make_user()
    client.force_login(other)
    assert client.post(url, {"target": "withdrawn"}).status_code == 404

    staff = make_user(is_staff=True)
    client.force_login(staff)
    assert project.title in client.get(f"/campaigns/{campaign.slug}/").content.decode()
    client.post(url, {"target": "rejected"})  # a reason is required
    application.refresh_from_db()
    assert application.status == "applied"
    client.post(url, {"target": "accepted"})
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("accepted", staff)


def test_admin_pages_load_for_staff(admin_client, running):
    campaign, _pool, _project = running
    for url in ("/admin/campaigns/campaign/", "/admin/campaigns/application/", "/admin/matching/pool/",
                "/admin/matching/match/", f"/admin/campaigns/campaign/{campaign.pk}/change/"):
        assert admin_client.get(url).status_code == 200, url
    response = admin_client.post("/admin/campaigns/campaign/add/", {
        "slug": "bad", "title": "Bad", "currency": "CNY",
        "starts_at_0": "2026-09-09", "starts_at_1": "00:00", "ends_at_0": "2026-09-08", "ends_at_1": "00:00",
    })
    assert response.status_code == 200 and not Campaign.objects.filter(slug="bad").exists()


def test_staff_editing_a_campaigns_hours_applies_to_the_very_next_gift(admin_client, running):
    """Each app process keeps its list of active pools for up to a second; the one where
    staff change a campaign's daily hours in the admin reads it afresh at once."""
    from datetime import timedelta

    from jusha.matching.models import Match

    campaign, _pool, project = running
    assert Match.objects.filter(donation=give(project, 1000)).exists()  # within its hours (none set)
    now = timezone.localtime()

    def clock(hours_from_now):
        return (now + timedelta(hours=hours_from_now)).strftime("%H:%M")

    # Daily hours that leave out the present moment (never across midnight).
    opens, closes = (clock(2), clock(3)) if clock(2) < clock(3) else (clock(-3), clock(-2))
    # The window as the form shows it (to the second), still around its pools' windows.
    starts = timezone.localtime(campaign.starts_at) - timedelta(minutes=1)
    ends = timezone.localtime(campaign.ends_at) + timedelta(minutes=1)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    response = admin_client.post(url, {
        "slug": campaign.slug, "title": campaign.title, "summary": campaign.summary,
        "description": campaign.description, "currency": campaign.currency,
        "starts_at_0": starts.strftime("%Y-%m-%d"), "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"), "ends_at_1": ends.strftime("%H:%M:%S"),
        "daily_opens": opens, "daily_closes": closes,
        "applications-TOTAL_FORMS": "0", "applications-INITIAL_FORMS": "0",
        "applications-MIN_NUM_FORMS": "0", "applications-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    campaign.refresh_from_db()
    assert campaign.daily_opens.strftime("%H:%M") == opens
    assert not Match.objects.filter(donation=give(project, 1000)).exists()  # outside the new hours



def _change_form(campaign, starts, ends, **fields) -> dict:
    return {
        "slug": campaign.slug, "title": campaign.title, "summary": campaign.summary,
        "description": campaign.description, "currency": campaign.currency,
        "starts_at_0": starts.strftime("%Y-%m-%d"), "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"), "ends_at_1": ends.strftime("%H:%M:%S"),
        "applications-TOTAL_FORMS": "0", "applications-INITIAL_FORMS": "0",
        "applications-MIN_NUM_FORMS": "0", "applications-MAX_NUM_FORMS": "1000", **fields,
    }


def test_the_ticker_shows_each_gifts_paid_match(client, running):
    """What a recent gift was matched comes from matching (campaigns.contributions)."""
    campaign, _pool, project = running
    give(project, 5000, name="Xiaoyu")
    live = client.get(f"/campaigns/{campaign.slug}/live/").content.decode()
    assert "+ ¥50.00 matched" in live


def test_admin_keeps_a_campaign_around_its_pools_windows(admin_client, running):
    """Matching contributes the check: a campaign may not shrink inside its pools' windows."""
    from datetime import timedelta

    campaign, pool, _project = running
    starts = timezone.localtime(campaign.starts_at) - timedelta(minutes=1)
    ends = timezone.localtime(pool.ends_at) - timedelta(hours=1)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    response = admin_client.post(url, _change_form(campaign, starts, ends))
    assert response.status_code == 200
    assert "the campaign must still contain them" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.ends_at > timezone.now() + timedelta(days=1)


def test_publishing_a_campaign_makes_matching_read_its_active_pools_afresh(monkeypatch):
    """campaigns announces campaign_changed; matching forgets its active pools at once and
    again after the commit (its subscriptions, in both phases)."""
    from django.test import TestCase

    from jusha.campaigns.services import campaign_publish
    from jusha.core.events import AFTER_COMMIT, IN_TRANSACTION, campaign_changed
    from jusha.matching import selectors as matching_selectors

    for phase in (IN_TRANSACTION, AFTER_COMMIT):
        assert [s.handler for s in campaign_changed.subscribers(phase)] == [matching_selectors.active_pools_changed_by]
    campaign = make_campaign(publish=False)
    monkeypatch.setattr(matching_selectors, "_active", (0.0, [], {}))
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        campaign_publish(campaign=campaign, actor=make_user(is_staff=True))
        assert matching_selectors._active is None  # at once
        monkeypatch.setattr(matching_selectors, "_active", (0.0, [], {}))  # read meanwhile
    for callback in callbacks:
        callback()
    assert matching_selectors._active is None  # and after the commit


def test_a_campaign_stands_alone_without_what_matching_contributes(client, running, monkeypatch):
    """The campaign pages and answers only add up what higher apps contribute."""
    from jusha.campaigns import contributions

    campaign, _pool, project = running
    give(project, 5000, name="Xiaoyu")
    for point in (contributions.sums, contributions.project_sums, contributions.gift_matches, contributions.pools):
        monkeypatch.setattr(point, "_providers", [])
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "¥50.00" in page and "matched</span>" not in page and "Matching pools" not in page
    body = client.get(f"/api/v1/campaigns/{campaign.slug}").json()
    assert (body["raised"], body["matched"], body["pools"], body["recent"][0]["matched"]) == (5000, 0, [], 0)
