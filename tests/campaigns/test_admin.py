"""Campaign edits in the admin go through campaigns.services.campaign_save: the change and
its audit row are written together, and a changed campaign announces it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.campaigns.models import Campaign
from jusha.core.models import AuditLog
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def _form(campaign=None, **fields) -> dict:
    starts = timezone.localtime(campaign.starts_at if campaign else timezone.now() + timedelta(days=1))
    ends = timezone.localtime(campaign.ends_at if campaign else timezone.now() + timedelta(days=2))
    data = {
        "slug": campaign.slug if campaign else "new-day", "title": campaign.title if campaign else "New day",
        "summary": campaign.summary if campaign else "", "description": campaign.description if campaign else "",
        "currency": "CNY",
        "starts_at_0": starts.strftime("%Y-%m-%d"), "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"), "ends_at_1": ends.strftime("%H:%M:%S"),
        "applications-TOTAL_FORMS": "0", "applications-INITIAL_FORMS": "0",
        "applications-MIN_NUM_FORMS": "0", "applications-MAX_NUM_FORMS": "1000",
    }
    return {**data, **fields}


def test_an_admin_edit_is_audited(admin_client, admin_user):
    campaign = make_campaign()
    response = admin_client.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", _form(campaign, title="Renamed"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Renamed"
    row = AuditLog.objects.get(action="campaign.update")
    assert row.actor == admin_user and row.target_id == str(campaign.pk) and row.data["fields"] == ["title"]


def test_an_admin_creation_is_audited_with_its_creator(admin_client, admin_user):
    response = admin_client.post("/admin/campaigns/campaign/add/", _form())
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="new-day")
    assert campaign.created_by == admin_user and campaign.published_at is None
    row = AuditLog.objects.filter(action="campaign.create", target_id=str(campaign.pk)).get()
    assert row.data["via"] == "admin"


def test_an_edit_and_its_audit_row_commit_together(admin_user, monkeypatch):
    from jusha.campaigns import services

    campaign = make_campaign()
    before = AuditLog.objects.count()

    def broken(**_kw):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", broken)
    campaign.title = "Never saved"
    with pytest.raises(RuntimeError):
        services.campaign_save(campaign=campaign, actor=admin_user, changed=["title"])
    assert Campaign.objects.get(pk=campaign.pk).title != "Never saved"
    assert AuditLog.objects.count() == before


def test_an_edit_announces_the_change(admin_user, monkeypatch):
    from jusha.campaigns import services

    campaign = make_campaign()
    heard = []
    monkeypatch.setattr(services.campaign_changed, "announce", lambda event: heard.append(event.campaign.pk))
    services.campaign_save(campaign=campaign, actor=admin_user, changed=["title"])
    assert heard == [campaign.pk]


def test_only_staff_save_campaigns():
    from jusha.campaigns.services import campaign_save
    from jusha.core.errors import Forbidden
    from tests.factories import make_user

    campaign = make_campaign()
    campaign.title = "Not staff"
    with pytest.raises(Forbidden):
        campaign_save(campaign=campaign, actor=make_user(), changed=["title"])
    assert Campaign.objects.get(pk=campaign.pk).title != "Not staff"
