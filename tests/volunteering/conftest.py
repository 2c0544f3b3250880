"""Helpers for volunteering tests: a verified organisation with an organiser, an activity
with a shift, and adult volunteers with a profile."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.volunteering import services
from tests.factories import make_member, make_org, make_user

COUNTY = "511921"  # 通江县


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"


def volunteer(*, birth_year=1990, **extra):
    user = make_user(**extra)
    if birth_year:
        services.profile_save(user=user, actor=user, birth_year=birth_year, skills=["陪伴老人"], region_code=COUNTY)
    return user


def make_activity(organiser=None, *, starts_in=timedelta(days=2), hours=3, capacity=10, shifts=1, **extra):
    """An activity whose first shift starts `starts_in` from now (further shifts a day apart)."""
    if organiser is None:
        organiser = make_member(make_org(), "editor")
    organisation = organiser.memberships.first().organisation
    start = timezone.now() + starts_in
    fields = dict(title="周末敬老院陪伴", cause="elders", region_code=COUNTY, place="通江县敬老院",
                  safety_briefing="Wash hands.")
    fields.update(extra)
    return services.activity_create(
        organisation=organisation, actor=organiser,
        shifts=[(start + timedelta(days=i), start + timedelta(days=i, hours=hours), capacity) for i in range(shifts)],
        **fields,
    )


def organiser_of(activity):
    return activity.created_by


def started_shift(*, minutes_ago=10, hours=2, capacity=10, **extra):
    """An activity whose shift started `minutes_ago` (its check-in window open): made in the
    future, then moved (services refuse sign-ups to a started shift)."""
    activity = make_activity(capacity=capacity, hours=hours, **extra)
    return activity, activity.shifts.get()


def move_shift(shift, *, starts_in: timedelta, hours: float = 2):
    start = timezone.now() + starts_in
    shift.starts_at, shift.ends_at = start, start + timedelta(hours=hours)
    shift.save(update_fields=["starts_at", "ends_at"])
    return shift
