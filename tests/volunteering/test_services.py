"""Sign-ups, waitlists, check-in by code, hours and their log facts, through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.transparency.models import Fact, FactSalt
from jusha.transparency.leaves import commitment_matches, parse
from jusha.volunteering import hours, rules, services
from jusha.volunteering.models import CheckIn, HoursRecord, Signup
from tests.factories import make_member, make_org
from tests.volunteering.conftest import COUNTY, make_activity, move_shift, volunteer

pytestmark = pytest.mark.django_db


def statuses(shift):
    return list(shift.signups.order_by("id").values_list("status", flat=True))


def test_sign_up_until_full_then_waitlist_promoted_in_order(django_capture_on_commit_callbacks):
    activity = make_activity(capacity=2)
    shift = activity.shifts.get()
    a, b, c, d = (volunteer() for _ in range(4))
    first = services.signup_create(shift=shift, volunteer=a)
    services.signup_create(shift=shift, volunteer=b)
    services.signup_create(shift=shift, volunteer=c)
    services.signup_create(shift=shift, volunteer=d)
    assert statuses(shift) == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=first, actor=a)
    assert statuses(shift) == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    assert [m.to for m in mail.outbox] == [[c.email]]  # told they have a place
    with pytest.raises(Conflict) as again:
        services.signup_create(shift=shift, volunteer=b)
    assert again.value.code == "already_signed_up"


def test_overlapping_shifts_are_refused_and_nothing_changes():
    one, two = make_activity(), make_activity(title="另一个活动")
    member = volunteer()
    services.signup_create(shift=one.shifts.get(), volunteer=member)
    with pytest.raises(Conflict) as refused:
        services.signup_create(shift=two.shifts.get(), volunteer=member)
    assert refused.value.code == "overlapping_shift"
    assert Signup.objects.filter(volunteer=member).count() == 1


def test_a_minor_needs_a_guardians_consent_recorded_by_the_organisation():
    activity = make_activity()
    shift = activity.shifts.get()
    minor = volunteer(birth_year=timezone.localdate().year - 15)
    with pytest.raises(Forbidden) as refused:
        services.signup_create(shift=shift, volunteer=minor)
    assert refused.value.code == "guardian_consent_needed" and not Signup.objects.exists()
    stranger = volunteer()
    with pytest.raises(Forbidden):
        services.guardian_consent_record(organisation=activity.organisation, volunteer=minor, actor=stranger,
                                         guardian_name="王女士")
    services.guardian_consent_record(organisation=activity.organisation, volunteer=minor, actor=activity.created_by,
                                     guardian_name="王女士")
    assert services.signup_create(shift=shift, volunteer=minor).status == "confirmed"


def test_minimum_age_and_a_missing_birth_year():
    activity = make_activity(minimum_age=16)
    shift = activity.shifts.get()
    with pytest.raises(Forbidden, match="16"):
        services.signup_create(shift=shift, volunteer=volunteer(birth_year=timezone.localdate().year - 14))
    with pytest.raises(Invalid) as refused:
        services.signup_create(shift=shift, volunteer=volunteer(birth_year=None))
    assert refused.value.code == "profile_needed" and not Signup.objects.exists()


def test_cancel_deadline_for_the_member_not_the_organiser():
    activity = make_activity(starts_in=timedelta(hours=5), cancel_deadline_hours=24)
    member = volunteer()
    signup = services.signup_create(shift=activity.shifts.get(), volunteer=member)
    with pytest.raises(Conflict) as refused:
        services.signup_cancel(signup=signup, actor=member)
    assert refused.value.code == "cancel_deadline_passed"
    assert Signup.objects.get().status == "confirmed"
    assert services.signup_cancel(signup=signup, actor=activity.created_by).status == "cancelled"


def test_a_cancelled_activity_cancels_every_sign_up_and_tells_everyone(django_capture_on_commit_callbacks):
    activity = make_activity(capacity=1, shifts=2)
    first, second = activity.shifts.all()
    people = [volunteer() for _ in range(3)]
    services.signup_create(shift=first, volunteer=people[0])
    services.signup_create(shift=first, volunteer=people[1])  # waitlisted
    services.signup_create(shift=second, volunteer=people[2])
    with pytest.raises(Conflict):  # a volunteer may not cancel it
        services.activity_cancel(activity=activity, actor=people[0], reason="rain")
    assert activity.__class__.objects.get().status == "published"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_cancel(activity=activity, actor=activity.created_by, reason="台风预警")
    assert set(Signup.objects.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("台风预警" in m.body for m in mail.outbox)
    with pytest.raises(Conflict) as refused:
        services.signup_create(shift=second, volunteer=volunteer())
    assert refused.value.code == "activity_cancelled"


def test_unverified_organisations_do_not_host():
    organiser = make_member(make_org(verified=False), "owner")
    with pytest.raises(Conflict, match="verified"):
        make_activity(organiser)


def _signed_up_and_started(minutes_ago=10, hours_long=2):
    activity = make_activity()
    shift = activity.shifts.get()
    member = volunteer()
    services.signup_create(shift=shift, volunteer=member)
    move_shift(shift, starts_in=-timedelta(minutes=minutes_ago), hours=hours_long)
    return activity, shift, member


def test_check_in_by_code_once_only():
    activity, shift, member = _signed_up_and_started()
    token = services.shift_token(shift, "in")
    checkin, record = services.checkin_scan(token=token, volunteer=member)
    assert record is None and checkin.shift_id == shift.pk
    assert Signup.objects.get().status == "attended"
    with pytest.raises(Conflict) as twice:
        services.checkin_scan(token=token, volunteer=member)  # the same code replayed
    assert twice.value.code == "already_checked_in"
    assert CheckIn.objects.count() == 1


def test_refused_codes_change_nothing():
    activity, shift, member = _signed_up_and_started()
    long_ago = services.shift_token(shift, "in", moment=timezone.now().timestamp() - 61)
    for token, error, code in [
        (long_ago, Conflict, "token_expired"),
        (services.shift_token(shift, "in")[:-3] + "abc", Forbidden, "token_forged"),
        ("not a code", Invalid, "token_malformed"),
    ]:
        with pytest.raises(error) as refused:
            services.checkin_scan(token=token, volunteer=member)
        assert refused.value.code == code
    assert not CheckIn.objects.exists() and Signup.objects.get().status == "confirmed"


def test_a_code_for_another_shift_or_outside_the_window():
    activity = make_activity(shifts=2)
    mine, other = activity.shifts.all()
    member = volunteer()
    services.signup_create(shift=mine, volunteer=member)
    move_shift(other, starts_in=-timedelta(minutes=5))
    with pytest.raises(Conflict) as refused:
        services.checkin_scan(token=services.shift_token(other, "in"), volunteer=member)
    assert refused.value.code == "other_shift"
    with pytest.raises(Conflict) as early:  # my shift is two days away
        services.checkin_scan(token=services.shift_token(mine, "in"), volunteer=member)
    assert early.value.code == "outside_checkin_window"
    assert not CheckIn.objects.exists()


def test_check_out_gives_minutes_within_the_shift_pending_then_confirmed_into_the_log():
    activity, shift, member = _signed_up_and_started(minutes_ago=130, hours_long=2)  # ended 10 minutes ago
    CheckIn.objects.create(shift=shift, volunteer=member, checked_in_at=shift.starts_at - timedelta(minutes=20))
    Signup.objects.update(status="attended")
    _checkin, record = services.checkin_scan(token=services.shift_token(shift, "out"), volunteer=member)
    assert (record.status, record.minutes, record.cap_minutes) == ("pending", 120, 120)
    assert not Fact.objects.filter(kind="volunteer_hours").exists()
    organiser = activity.created_by
    with pytest.raises(Invalid) as refused:
        hours.hours_confirm(record=record, actor=organiser, minutes=121)
    assert refused.value.code == "longer_than_shift"
    assert HoursRecord.objects.get().status == "pending"
    with pytest.raises(Forbidden):
        hours.hours_confirm(record=record, actor=member)
    hours.hours_confirm(record=record, actor=organiser, minutes=110)
    fact = Fact.objects.get(kind="volunteer_hours")
    leaf = parse(bytes(fact.leaf))
    assert {k: leaf[k] for k in ("minutes", "county", "cause", "activity", "organisation")} == {
        "minutes": 110, "county": COUNTY, "cause": "elders", "activity": activity.pk,
        "organisation": activity.organisation.slug}
    assert member.email not in bytes(fact.leaf).decode() and "volunteer" not in leaf
    salt = bytes(FactSalt.objects.get(fact=fact).salt)
    assert commitment_matches(leaf, salt, hours.personal_of(hours.certificate_name(member)))
    with pytest.raises(Conflict):  # final
        hours.hours_confirm(record=record, actor=organiser)


def test_each_fact_has_its_own_salt_so_hours_do_not_link():
    organiser = make_member(make_org(), "editor")
    member = volunteer(display_name="李雷")
    first = make_activity(organiser)
    second = make_activity(organiser, title="线上翻译", kind="online", place="")
    for activity in (first, second):
        record = hours.hours_report(volunteer=member, activity=activity, minutes=60,
                                    served_on=timezone.localdate(), note="翻译了项目故事")
        hours.hours_confirm(record=record, actor=organiser)
    commitments = [parse(bytes(f.leaf))["commitment"] for f in Fact.objects.filter(kind="volunteer_hours")]
    assert len(set(commitments)) == 2


def test_self_reported_hours_need_evidence_and_can_be_disputed():
    activity = make_activity()
    member = volunteer()
    with pytest.raises(Invalid) as refused:
        hours.hours_report(volunteer=member, activity=activity, minutes=60, served_on=timezone.localdate())
    assert refused.value.code == "evidence_required" and not HoursRecord.objects.exists()
    with pytest.raises(Invalid):
        hours.hours_report(volunteer=member, activity=activity, minutes=60,
                           served_on=timezone.localdate() + timedelta(days=1), note="x")
    record = hours.hours_report(volunteer=member, activity=activity, minutes=90, served_on=timezone.localdate(),
                                note="线上核对了合作方的数据")
    hours.hours_reject(record=record, actor=activity.created_by)
    hours.hours_dispute(record=record, actor=member, reason="I did spend 90 minutes: see the shared file")
    record.refresh_from_db()
    assert (record.status, record.dispute_reason[:5]) == ("disputed", "I did")
    hours.hours_confirm(record=record, actor=activity.created_by)
    assert HoursRecord.objects.get().status == "confirmed"


def test_reminders_the_day_before_once(django_capture_on_commit_callbacks):
    activity = make_activity(starts_in=timedelta(hours=20))
    later = make_activity(starts_in=timedelta(days=3), title="later")
    member = volunteer()
    services.signup_create(shift=activity.shifts.get(), volunteer=member)
    services.signup_create(shift=later.shifts.get(), volunteer=member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signups_remind_due() == 1
        assert services.signups_remind_due() == 0
    assert len(mail.outbox) == 1 and "calendar.ics" in mail.outbox[0].body


def test_weekly_activity_makes_a_shift_a_week():
    activity = make_activity(recurrence="weekly", repeat=4)
    starts = [s.starts_at for s in activity.shifts.all()]
    assert len(starts) == 4 and all(b - a == timedelta(days=7) for a, b in zip(starts, starts[1:]))


def test_pledge_and_figures():
    from jusha.volunteering import selectors

    organiser = make_member(make_org(), "editor")
    activity = make_activity(organiser)
    done, halfway = volunteer(), volunteer()
    for member, minutes in ((done, 180), (halfway, 90)):
        record = hours.hours_report(volunteer=member, activity=activity, minutes=minutes,
                                    served_on=timezone.localdate(), note="陪伴")
        hours.hours_confirm(record=record, actor=organiser)
    assert selectors.pledge_of(done).reached and selectors.pledge_of(halfway).percent == 50
    figures = selectors.figures()
    assert (figures["minutes"], figures["volunteers"], figures["pledge_percent"]) == (270, 2, 50)
    assert figures["by_region"][0] == ("四川省", 270)
    assert rules.pledge_progress(0, 180) == 0
