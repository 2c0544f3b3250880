"""The pages: find and sign up, the organiser's code screen, the link a phone opens, hours,
certificates verified against the log, groups and figures (every page is also checked for
its CSP and markup by tests/page_checks.py)."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from jusha.transparency.services import log_sequence
from jusha.transparency.models import FactSalt
from jusha.volunteering import hours, services
from jusha.volunteering.models import CheckIn, Group, GroupProposal, Signup
from tests.factories import PASSWORD, make_member, make_org
from tests.volunteering.conftest import make_activity, move_shift, volunteer

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_list_and_detail_and_sign_up(client):
    activity = make_activity()
    assert activity.title in client.get("/volunteer/").content.decode()
    page = client.get(f"/volunteer/a/{activity.pk}/").content.decode()
    assert "Wash hands." in page and "通江县敬老院" in page
    member = volunteer()
    login(client, member)
    shift = activity.shifts.get()
    response = client.post(f"/volunteer/shift/{shift.pk}/signup/", follow=True)
    assert response.status_code == 200 and Signup.objects.get().status == "confirmed"
    ics = client.get(f"/volunteer/signups/{Signup.objects.get().pk}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert activity.title.encode() in ics.content


def test_someone_elses_calendar_file_is_not_found(client):
    activity = make_activity()
    signup = services.signup_create(shift=activity.shifts.get(), volunteer=volunteer())
    login(client, volunteer())
    assert client.get(f"/volunteer/signups/{signup.pk}/calendar.ics").status_code == 404


def test_the_code_screen_is_for_organisers_and_rotates(client):
    activity = make_activity()
    shift = activity.shifts.get()
    login(client, volunteer())
    assert client.get(f"/volunteer/shift/{shift.pk}/code/").status_code == 403
    login(client, activity.created_by)
    page = client.get(f"/volunteer/shift/{shift.pk}/code/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "<svg" in html and 'http-equiv="refresh"' in html
    assert re.search(r"/volunteer/c/\?t=in\.\d+\.\d+\.", html)


def test_scan_link_then_button_checks_in_and_twice_is_refused(client):
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    move_shift(shift, starts_in=timedelta(minutes=5))
    link = "/volunteer/c/?t=" + services.shift_token(shift, "in")
    anonymous = client.get(link).content.decode()
    assert "Log in" in anonymous or "登录" in anonymous
    login(client, member)
    page = client.get(link)
    scanned = re.search(r'name="scanned" value="([^"]+)"', page.content.decode())[1]
    done = client.post(link, {"scanned": scanned})
    assert done.status_code == 200 and CheckIn.objects.filter(volunteer=member).count() == 1
    again = client.post(link, {"scanned": scanned})
    assert again.status_code == 409 and CheckIn.objects.count() == 1
    forged = client.get("/volunteer/c/?t=" + services.shift_token(shift, "in")[:-3] + "abc")
    assert forged.status_code == 403


def test_check_in_outside_the_window_is_refused_on_the_page(client):
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    login(client, member)
    page = client.get("/volunteer/c/?t=" + services.shift_token(shift, "in"))
    assert page.status_code == 409 and not CheckIn.objects.exists()


def _confirmed_hours(member, *, organiser=None, minutes=120):
    organiser = organiser or make_member(make_org(), "editor")
    activity = make_activity(organiser)
    record = hours.hours_report(volunteer=member, activity=activity, minutes=minutes, served_on=timezone.localdate(),
                                note="陪老人聊天")
    return activity, hours.hours_confirm(record=record, actor=organiser)


def test_certificate_verifies_against_the_log_and_a_wrong_name_does_not(client):
    member = volunteer(display_name="韩梅梅")
    activity, _record = _confirmed_hours(member)
    _confirmed_hours(member, minutes=75)
    log_sequence()
    login(client, member)
    certificate = client.get(f"/volunteer/certificate/{timezone.localdate().year}/").content.decode()
    assert "韩梅梅" in certificate and "3.2" in certificate  # 195 minutes
    url = re.search(r'href="(http://testserver/volunteer/verify/\?[^"]+)"', certificate)[1].replace("&amp;", "&")
    client.logout()
    checked = client.get(url)
    html = checked.content.decode()
    assert checked.status_code == 200 and "verdict ok" in html and html.count("pill ok") == 2
    query = parse_qs(urlsplit(url).query)
    from django.core import signing

    other = signing.b64_encode("李雷".encode()).decode()
    wrong = client.get(f"/volunteer/verify/?n={other}&c={query['c'][0]}").content.decode()
    assert "verdict bad" in wrong
    garbage = client.get("/volunteer/verify/?n=x&c=1.abc")
    assert garbage.status_code == 422
    login(client, member)
    one = client.get(f"/volunteer/a/{activity.pk}/certificate/").content.decode()
    assert activity.title in one and "<svg" in one


def test_erasure_deletes_the_salt_but_the_certificate_still_holds_it(client):
    member = volunteer(display_name="韩梅梅")
    _activity, record = _confirmed_hours(member)
    log_sequence()
    login(client, member)
    certificate = client.get(f"/volunteer/certificate/{timezone.localdate().year}/").content.decode()
    url = re.search(r'href="(http://testserver/volunteer/verify/\?[^"]+)"', certificate)[1].replace("&amp;", "&")
    FactSalt.objects.all().delete()
    assert "verdict ok" in client.get(url).content.decode()


def test_organisation_page_confirms_hours_and_refuses_longer_than_the_shift(client):
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    move_shift(shift, starts_in=-timedelta(hours=3), hours=2)
    CheckIn.objects.create(shift=shift, volunteer=member, checked_in_at=shift.starts_at)
    Signup.objects.update(status="attended")
    services.checkout_record(shift=shift, volunteer=member, actor=activity.created_by)
    record = member.volunteer_hours.get()
    login(client, activity.created_by)
    slug = activity.organisation.slug
    assert "陪伴" in client.get(f"/volunteer/org/{slug}/").content.decode()
    client.post(f"/volunteer/hours/{record.pk}/confirm/", {"minutes": 121})
    record.refresh_from_db()
    assert record.status == "pending"
    client.post(f"/volunteer/hours/{record.pk}/confirm/", {"minutes": 120})
    record.refresh_from_db()
    assert (record.status, record.minutes) == ("confirmed", 120)
    login(client, member)
    assert client.get(f"/volunteer/org/{slug}/").status_code == 403
    assert client.post(f"/volunteer/hours/{record.pk}/reject/").status_code == 403


def test_roster_shows_emergency_contacts_to_organisers_only_and_is_audited(client):
    from jusha.core.models import AuditLog

    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.profile_save(user=member, actor=member, birth_year=1990, emergency_contact="妈妈 13800000000")
    services.signup_create(shift=shift, volunteer=member)
    login(client, member)
    assert client.get(f"/volunteer/shift/{shift.pk}/run/").status_code == 403
    login(client, activity.created_by)
    assert "13800000000" in client.get(f"/volunteer/shift/{shift.pk}/run/").content.decode()
    assert AuditLog.objects.filter(action="volunteering.roster_view").count() == 1


def test_profile_page_saves_and_shows_the_pledge(client):
    member = volunteer()
    login(client, member)
    response = client.post("/volunteer/me/", {"skills": "摄影, 翻译", "languages": "中文", "region_code": "511921",
                                              "availability": "周末", "birth_year": "1995", "emergency_contact": "",
                                              "pledge_hours": "5"})
    assert response.status_code == 302
    member.volunteer_profile.refresh_from_db()
    assert member.volunteer_profile.skills == ["摄影", "翻译"] and member.volunteer_profile.pledge_minutes == 300
    bad = client.post("/volunteer/me/", {"birth_year": "1700", "pledge_hours": "3"})
    assert bad.status_code == 422
    assert "3" in client.get("/accounts/me/").content.decode()


def test_groups_propose_and_the_organisation_hosts(client):
    founder, friend = volunteer(), volunteer()
    organiser = make_member(make_org(), "owner")
    login(client, founder)
    client.post("/volunteer/groups/new/", {"name": "周末敬老院小组"})
    group = Group.objects.get()
    login(client, friend)
    client.post(f"/volunteer/groups/{group.slug}/", {"action": "join"})
    assert group.members.count() == 2
    client.post(f"/volunteer/groups/{group.slug}/", {"action": "propose", "organisation": organiser.memberships.get().organisation.slug,
                                                      "title": "每周六探访", "note": "我们每周六去敬老院"})
    proposal = GroupProposal.objects.get()
    login(client, organiser)
    form = client.get(f"/volunteer/org/{proposal.organisation.slug}/new/?proposal={proposal.pk}")
    assert "每周六探访" in form.content.decode()
    start = timezone.localtime(timezone.now() + timedelta(days=3))
    response = client.post(f"/volunteer/org/{proposal.organisation.slug}/new/?proposal={proposal.pk}", {
        "title": "每周六探访", "description": "", "kind": "offline", "cause": "elders", "region_code": "511921",
        "place": "敬老院", "skills_wanted": "", "safety_briefing": "", "minimum_age": "0",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "8", "recurrence": "weekly", "repeat": "4", "cancel_deadline_hours": "24"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.activity.group == group and proposal.activity.shifts.count() == 4
    assert "每周六探访" in client.get(f"/volunteer/groups/{group.slug}/").content.decode()


def test_public_figures_page(client):
    _confirmed_hours(volunteer())
    html = client.get("/volunteer/figures/").content.decode()
    assert "<svg" in html and "四川省" in html
