"""The shared calendar (our giving days as iCalendar, a partner's feed imported beside
them), partners' fundraising projects listed with gifts sent to the partner's own pages,
and the mutual witnessing of both transparency logs configured per partner."""

import json
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from jusha.alliance import partners
from jusha.alliance.models import Partner, PartnerEvent, PartnerProject
from jusha.transparency.witnesses import log_witnesses, witnessed_logs
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def partner_feed(now) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Partner//EN")
    calendar.add("version", "2.0")
    for uid, title, start in (("99@partner", "九九公益日", now + timedelta(days=20)),
                              ("old@partner", "Long gone", now - timedelta(days=90)),
                              ("bad@partner", "控制\x01字符", now + timedelta(days=40))):
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("summary", title)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(days=3))
        event.add("url", "https://partner.example/campaigns/99/")
        calendar.add_component(event)
    day = icalendar.Event()  # an all-day event
    day.add("uid", "allday@partner")
    day.add("summary", "月捐日")
    day.add("dtstart", (now + timedelta(days=5)).date())
    calendar.add_component(day)
    return calendar.to_ical()


def test_our_giving_days_are_an_icalendar_feed(client):
    campaign = make_campaign(title="九月公益月")
    make_campaign(title="Unpublished", publish=False)
    response = client.get("/alliance/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["九月公益月"]
    assert events[0]["dtstart"].dt == campaign.starts_at.replace(microsecond=0)
    assert str(events[0]["url"]).endswith(f"/campaigns/{campaign.slug}/")


def test_a_partners_calendar_and_projects_are_shown_beside_ours(client, loopback):
    now = timezone.now()
    loopback.serve("/calendar.ics", partner_feed(now), "text/calendar")
    loopback.serve("/api/v1/projects", json.dumps({"count": 2, "items": [
        {"slug": "water-for-schools", "title": "乡村学校净水", "summary": "净水器", "cause": "education",
         "goal": 2_000_000, "raised": 750_000, "currency": "CNY"},
        {"slug": "", "title": "no slug"},  # skipped
        "not an object",
    ]}).encode())
    partner = Partner.objects.create(name="公益伙伴", base_url=loopback.base, calendar_url=loopback.base + "/calendar.ics",
                                     projects_url=loopback.base + "/api/v1/projects")
    ours = make_campaign(title="我们的公益日", starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=11))
    assert partners.partners_sync() == 1
    partner.refresh_from_db()
    assert partner.sync_error == "" and partner.synced_at
    titles = sorted(PartnerEvent.objects.values_list("title", flat=True))
    assert titles == ["九九公益日", "控制字符", "月捐日"]  # the one long gone left out; the control character dropped
    [listed] = PartnerProject.objects.all()
    assert listed.url == loopback.base + "/projects/water-for-schools/" and listed.raised == 750_000
    # A projects request asked only for fundraising ones.
    assert any("status=fundraising" in r.path for r in loopback.requests)

    page = client.get("/alliance/").content.decode()
    assert page.index("月捐日") < page.index(ours.title) < page.index("九九公益日")  # side by side, by date
    assert "公益伙伴" in page and f'href="{loopback.base}/projects/water-for-schools/"' in page

    # The next sync replaces what the partner no longer lists.
    loopback.serve("/api/v1/projects", json.dumps({"items": []}).encode())
    partners.partners_sync()
    assert not PartnerProject.objects.exists()


def test_a_partner_that_answers_garbage_keeps_its_error_and_nothing_breaks(loopback):
    loopback.serve("/calendar.ics", b"this is not a calendar", "text/calendar")
    loopback.answer("/api/v1/projects", 500)
    partner = Partner.objects.create(name="P", base_url=loopback.base, calendar_url=loopback.base + "/calendar.ics",
                                     projects_url=loopback.base + "/api/v1/projects")
    partners.partners_sync()
    partner.refresh_from_db()
    assert "events" in partner.sync_error and "projects" in partner.sync_error
    assert not PartnerEvent.objects.exists() and not PartnerProject.objects.exists()


def test_private_partner_addresses_are_refused_in_production(loopback, settings):
    settings.JUSHA_ALLOW_PRIVATE_FETCH = False
    loopback.serve("/calendar.ics", partner_feed(timezone.now()), "text/calendar")
    partner = Partner.objects.create(name="P", base_url=loopback.base, calendar_url=loopback.base + "/calendar.ics")
    partners.partners_sync()
    partner.refresh_from_db()
    assert "private or loopback" in partner.sync_error
    assert loopback.requests == [] and not PartnerEvent.objects.exists()


def test_witnessing_is_configured_per_partner(settings):
    settings.JUSHA_LOG_WITNESSES = []
    settings.JUSHA_WITNESS_LOGS = []
    Partner.objects.create(name="A", base_url="https://a.example", log_vkey="a.example/log+1234abcd+AAAA",
                           witness_vkey="a.example/witness+5678abcd+BBBB", witness_url="https://a.example/log/witness")
    Partner.objects.create(name="Off", base_url="https://off.example", log_vkey="off.example/log+1+C", active=False)
    assert log_witnesses() == [("a.example/witness+5678abcd+BBBB", "https://a.example/log/witness")]
    assert witnessed_logs() == ["a.example/log+1234abcd+AAAA"]
