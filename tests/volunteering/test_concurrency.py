"""The same member's two scans, and many members' scans, at the same instant: each member
is checked in once (a unique constraint decides, not a read before the write); a full
shift's last places go to exactly as many as it has. PostgreSQL only: SQLite runs one
writer at a time."""

from datetime import timedelta

import pytest

from jusha.volunteering import services
from jusha.volunteering.models import CheckIn, Signup
from tests.concurrency import require_postgres, run_at_once
from tests.volunteering.conftest import make_activity, move_shift, volunteer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()




def test_one_member_scanning_eight_times_at_once_is_checked_in_once():
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    move_shift(shift, starts_in=timedelta(minutes=5))
    token = services.shift_token(shift, "in")
    results, errors = run_at_once([lambda: services.checkin_scan(token=token, volunteer=member)] * 8)
    assert len(results) == 1 and len(errors) == 7
    assert {e.code for e in errors} == {"already_checked_in"}
    assert CheckIn.objects.count() == 1 and Signup.objects.get().status == "attended"


def test_twelve_members_for_five_places_at_once():
    activity = make_activity(capacity=5)
    shift = activity.shifts.get()
    people = [volunteer() for _ in range(12)]
    results, errors = run_at_once([lambda p=p: services.signup_create(shift=shift, volunteer=p) for p in people])
    assert errors == []
    assert sorted(s.status for s in results).count("confirmed") == 5
    assert Signup.objects.filter(status="confirmed").count() == 5
    assert Signup.objects.filter(status="waitlisted").count() == 7


def test_many_members_checking_in_at_once_none_lost_none_doubled():
    activity = make_activity(capacity=30)
    shift = activity.shifts.get()
    people = [volunteer() for _ in range(20)]
    for p in people:
        services.signup_create(shift=shift, volunteer=p)
    move_shift(shift, starts_in=timedelta(minutes=1))
    token = services.shift_token(shift, "in")
    calls = [lambda p=p: services.checkin_scan(token=token, volunteer=p) for p in people for _ in range(2)]
    results, errors = run_at_once(calls)
    assert len(results) == 20 and {e.code for e in errors} == {"already_checked_in"}
    assert CheckIn.objects.count() == 20 and Signup.objects.filter(status="attended").count() == 20
