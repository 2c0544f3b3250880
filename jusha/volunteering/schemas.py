"""What the volunteering API answers: RFC 3339 times (Asia/Shanghai by default)."""

from __future__ import annotations

from ninja import Field, Schema
from django.utils import timezone


class ShiftOut(Schema):
    id: int
    starts_at: str
    ends_at: str
    capacity: int
    taken: int
    waitlist: int


class ActivityOut(Schema):
    id: int
    title: str
    organisation: str
    organisation_name: str
    kind: str
    cause: str
    region: str
    region_name: str
    place: str
    skills_wanted: list[str]
    minimum_age: int
    starts_at: str | None
    url: str
    shifts: list[ShiftOut]


class ActivityListOut(Schema):
    items: list[ActivityOut]
    count: int


class SignupOut(Schema):
    id: int
    shift: int
    activity: int
    status: str
    starts_at: str
    ends_at: str
    calendar_url: str


class CheckinIn(Schema):
    token: str = Field(..., min_length=1, max_length=200, description="The code from the organiser's screen")


class HoursOut(Schema):
    id: int
    activity: int | None
    activity_title: str
    organisation: str
    source: str
    status: str
    minutes: int
    served_on: str
    county: str


class CheckinOut(Schema):
    action: str  # checked_in | checked_out
    shift: int
    activity: int
    checked_in_at: str
    checked_out_at: str | None
    hours: HoursOut | None


class PledgeOut(Schema):
    year: int
    minutes: int
    pledge_minutes: int
    percent: int
    reached: bool


class HoursListOut(Schema):
    items: list[HoursOut]
    count: int
    pledge: PledgeOut


def rfc3339(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def hours_out(record) -> dict:
    return {
        "id": record.pk, "activity": record.activity_id, "activity_title": record.activity.title if record.activity else "",
        "organisation": record.organisation.slug, "source": record.source, "status": record.status,
        "minutes": record.minutes, "served_on": record.served_on.isoformat(), "county": record.county_code,
    }
