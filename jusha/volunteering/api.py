"""/api/v1/volunteering: public activity lists; a member's sign-ups, check-ins and hours."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.accounts.auth import member
from jusha.core.errors import Invalid
from jusha.core.openapi import errors
from jusha.core.pagination import Page
from jusha.projects.regions import is_valid_region, region_name
from jusha.volunteering import selectors, services
from jusha.volunteering.permissions import access_shift, access_signup
from jusha.volunteering.schemas import (
    ActivityListOut, CheckinIn, CheckinOut, HoursListOut, SignupOut, hours_out, rfc3339,
)

router = Router(tags=["volunteering"])


def _activity(request, activity) -> dict:
    shifts = list(activity.shifts.all())
    return {
        "id": activity.pk, "title": activity.title, "organisation": activity.organisation.slug,
        "organisation_name": activity.organisation.name, "kind": activity.kind, "cause": activity.cause,
        "region": activity.region_code, "region_name": region_name(activity.region_code), "place": activity.place,
        "skills_wanted": list(activity.skills_wanted or []), "minimum_age": activity.minimum_age,
        "starts_at": rfc3339(shifts[0].starts_at) if shifts else None,
        "url": request.build_absolute_uri(reverse("volunteering:activity", args=[activity.pk])),
        "shifts": [{"id": s.pk, "starts_at": rfc3339(s.starts_at), "ends_at": rfc3339(s.ends_at),
                    "capacity": s.capacity, "taken": s.taken, "waitlist": s.waiting} for s in shifts],
    }


@router.get("/volunteering/activities", response=ActivityListOut, auth=None, summary="Open volunteer activities")
def list_activities(
    request,
    page: Query[Page],
    region: str = Query("", max_length=6, description="A GB/T 2260 code; a province matches everything in it"),
    day: date | None = Query(None, alias="date", description="Only activities with a shift on this day (YYYY-MM-DD)"),
    skill: str = Query("", max_length=30, description="A skill the activity wants"),
):
    """Activities with a shift not yet over, each with its shifts (places taken and waitlist)."""
    if region and not is_valid_region(region):
        raise Invalid(_("Unknown region code."), code="invalid_region")
    activities = selectors.activities_open(region=region, day=day, skill=skill)
    return {"items": [_activity(request, a) for a in page.window(activities)], "count": activities.count()}


def _signup_out(request, signup) -> dict:
    return {
        "id": signup.pk, "shift": signup.shift_id, "activity": signup.shift.activity_id, "status": signup.status,
        "starts_at": rfc3339(signup.shift.starts_at), "ends_at": rfc3339(signup.shift.ends_at),
        "calendar_url": request.build_absolute_uri(reverse("volunteering:ics", args=[signup.pk])),
    }


@router.post("/volunteering/shifts/{shift_id}/signups", auth=member, response={201: SignupOut},
             summary="Sign up for a shift", openapi_extra=errors(403, 409))
def signup_create(request, shift_id: int):
    """A place if one is free (`confirmed`), else the waitlist (`waitlisted`), promoted in
    order when a place frees up. 409: cancelled activity, started shift, already signed up,
    another shift at the same time; 403: under the minimum age, a minor without a guardian's
    consent; 422: no birth year in the volunteer profile."""
    shift = access_shift(user=request.auth, pk=shift_id)
    signup = services.signup_create(shift=shift, volunteer=request.auth)
    return 201, _signup_out(request, signup)


@router.post("/volunteering/signups/{signup_id}/cancel", auth=member, response={200: SignupOut},
             summary="Cancel a sign-up", openapi_extra=errors(403, 409))
def signup_cancel(request, signup_id: int):
    """Up to the activity's deadline (409 after it); the freed place goes to the waitlist."""
    signup = access_signup(user=request.auth, pk=signup_id)
    return 200, _signup_out(request, services.signup_cancel(signup=signup, actor=request.auth))


@router.post("/volunteering/checkins", auth=member, response={201: CheckinOut}, summary="Check in or out by code",
             openapi_extra=errors(403, 409))
def checkin(request, payload: CheckinIn):
    """The code on the organiser's screen (a new one every 30 s): an "in" code checks the
    caller in, an "out" code checks them out (their minutes then wait for the organiser).
    422: not a code; 403: forged; 409: expired, outside the window, another shift, not
    signed up, already checked in or out."""
    checkin, record = services.checkin_scan(token=payload.token, volunteer=request.auth)
    shift = checkin.shift
    return 201, {
        "action": "checked_out" if checkin.checked_out_at else "checked_in", "shift": shift.pk,
        "activity": shift.activity_id, "checked_in_at": rfc3339(checkin.checked_in_at),
        "checked_out_at": rfc3339(checkin.checked_out_at), "hours": hours_out(record) if record else None,
    }


@router.get("/volunteering/hours", auth=member, response=HoursListOut, summary="My volunteer hours")
def my_hours(request, page: Query[Page]):
    """The caller's hours records, newest first, and this year's pledge (3 hours by default)."""
    records = selectors.my_hours(request.auth)
    pledge = selectors.pledge_of(request.auth)
    return {
        "items": [hours_out(r) for r in page.window(records)], "count": records.count(),
        "pledge": {"year": pledge.year, "minutes": pledge.minutes, "pledge_minutes": pledge.pledge,
                   "percent": pledge.percent, "reached": pledge.reached},
    }
