"""The API contract: public activity lists, a member's sign-ups, check-ins and hours."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.accounts.services import api_token_create
from jusha.volunteering import hours, services
from jusha.volunteering.models import CheckIn, Signup
from tests.factories import make_member, make_org
from tests.volunteering.conftest import make_activity, move_shift, volunteer

pytestmark = pytest.mark.django_db
SHANGHAI_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def bearer(user) -> dict:
    _token, raw = api_token_create(name="test", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_activities_list_shape_and_filters(client):
    activity = make_activity(skills_wanted=["陪伴老人"], capacity=5)
    make_activity(title="北京活动", region_code="110105", place="朝阳区")
    services.signup_create(shift=activity.shifts.get(), volunteer=volunteer())
    body = client.get("/api/v1/volunteering/activities").json()
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["id"] == activity.pk)
    assert {"id", "title", "organisation", "region", "starts_at", "shifts"} <= set(item)
    shift = item["shifts"][0]
    assert set(shift) >= {"id", "starts_at", "ends_at", "capacity", "taken"}
    assert (shift["capacity"], shift["taken"]) == (5, 1)
    assert SHANGHAI_TIME.match(item["starts_at"]) and SHANGHAI_TIME.match(shift["ends_at"])
    assert [i["id"] for i in client.get("/api/v1/volunteering/activities?region=510000").json()["items"]] == [activity.pk]
    assert client.get("/api/v1/volunteering/activities?skill=摄影").json()["count"] == 0
    day = timezone.localtime(activity.shifts.get().starts_at).date().isoformat()
    assert activity.pk in [i["id"] for i in client.get(f"/api/v1/volunteering/activities?date={day}").json()["items"]]
    assert client.get("/api/v1/volunteering/activities?region=999999").status_code == 422
    assert client.get("/api/v1/volunteering/activities?date=tomorrow").status_code == 422


def test_sign_up_by_api(client):
    activity = make_activity(capacity=1)
    shift = activity.shifts.get()
    member, other = volunteer(), volunteer()
    assert client.post(f"/api/v1/volunteering/shifts/{shift.pk}/signups").status_code == 401
    response = client.post(f"/api/v1/volunteering/shifts/{shift.pk}/signups", **bearer(member))
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed" and response.json()["calendar_url"].endswith(".ics")
    again = client.post(f"/api/v1/volunteering/shifts/{shift.pk}/signups", **bearer(member))
    assert (again.status_code, again.json()["code"]) == (409, "already_signed_up")
    assert client.post(f"/api/v1/volunteering/shifts/{shift.pk}/signups", **bearer(other)).json()["status"] == "waitlisted"
    assert client.post("/api/v1/volunteering/shifts/999999/signups", **bearer(other)).status_code == 404
    assert Signup.objects.count() == 2


def test_check_in_and_out_by_api_then_hours(client):
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    move_shift(shift, starts_in=-timedelta(minutes=40), hours=0.5)  # ended 10 minutes ago
    CheckIn.objects.create(shift=shift, volunteer=member, checked_in_at=shift.starts_at)
    Signup.objects.update(status="attended")
    again = client.post("/api/v1/volunteering/checkins", {"token": services.shift_token(shift, "in")},
                        content_type="application/json", **bearer(member))
    assert again.status_code == 409 and again.json()["code"] in ("already_checked_in", "outside_checkin_window")
    out = client.post("/api/v1/volunteering/checkins", {"token": services.shift_token(shift, "out")},
                      content_type="application/json", **bearer(member))
    assert out.status_code == 201, out.json()
    assert out.json()["action"] == "checked_out" and out.json()["hours"]["minutes"] == 30
    forged = client.post("/api/v1/volunteering/checkins", {"token": services.shift_token(shift, "out")[:-4] + "AAAA"},
                         content_type="application/json", **bearer(member))
    assert (forged.status_code, forged.json()["code"]) == (403, "token_forged")
    body = client.get("/api/v1/volunteering/hours", **bearer(member)).json()
    assert body["count"] == 1 and body["items"][0]["status"] == "pending" and body["pledge"]["minutes"] == 0
    hours.hours_confirm(record=member.volunteer_hours.get(), actor=activity.created_by)
    body = client.get("/api/v1/volunteering/hours", **bearer(member)).json()
    assert body["pledge"] == {"year": timezone.localdate().year, "minutes": 30, "pledge_minutes": 180, "percent": 16,
                              "reached": False}


def test_check_in_by_api(client):
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    move_shift(shift, starts_in=timedelta(minutes=10))  # opens 30 minutes before
    response = client.post("/api/v1/volunteering/checkins", {"token": services.shift_token(shift, "in")},
                           content_type="application/json", **bearer(member))
    assert response.status_code == 201 and response.json()["action"] == "checked_in"
    bad = client.post("/api/v1/volunteering/checkins", {"token": "hello"}, content_type="application/json",
                      **bearer(member))
    assert (bad.status_code, bad.json()["code"]) == (422, "token_malformed")
    assert client.get("/api/v1/volunteering/hours").status_code == 401


def test_an_organisation_member_who_is_not_organiser_cannot_confirm():
    org = make_org()
    editor, finance = make_member(org, "editor"), make_member(org, "finance")
    activity = make_activity(editor)
    record = hours.hours_report(volunteer=volunteer(), activity=activity, minutes=30, served_on=timezone.localdate(),
                                note="x")
    from jusha.core.errors import Forbidden

    with pytest.raises(Forbidden):
        hours.hours_confirm(record=record, actor=finance)
    record.refresh_from_db()
    assert record.status == "pending"
