"""Every write of volunteering's profiles, activities, shifts, sign-ups and check-ins.
Hours and their public facts are in `hours.py`, groups in `groups.py`.

Each service is atomic, checks its status table (states.py), and queues emails after commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.richtext import text_field
from jusha.organisations.permissions import roles_for
from jusha.projects.models import Cause
from jusha.projects.regions import is_valid_region
from jusha.volunteering import rules, states
from jusha.volunteering.models import (
    PLEDGE_MINUTES, Activity, CheckIn, GuardianConsent, Shift, Signup, VolunteerProfile,
)

S = Signup.Status
ADULT = 18
MAX_SHIFTS = 52  # a recurring activity's shifts made at once (a year of weeks)
MAX_CAPACITY = 100_000


# --- profile ------------------------------------------------------------------------------

def _words(values, *, label, limit=20) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").split(",")
    out = []
    for value in values or ():
        word = text_field(value, limit=30, label=label, required=False)
        if word and word not in out:
            out.append(word)
    if len(out) > limit:
        raise Invalid(_("At most %(n)d entries.") % {"n": limit}, code="too_many", extra={"field": str(label)})
    return out


@transaction.atomic
def profile_save(*, user, actor, skills=(), languages=(), region_code="", availability="", birth_year=None,
                 emergency_contact="", pledge_minutes=PLEDGE_MINUTES) -> VolunteerProfile:
    """The member's own volunteer profile (only they may change it)."""
    if actor != user:
        raise Forbidden(_("Only the member may change their volunteer profile."), code="not_yours")
    this_year = timezone.localdate().year
    if birth_year is not None and not (this_year - 100 <= int(birth_year) <= this_year - 6):
        raise Invalid(_("Give a birth year between %(a)d and %(b)d.") % {"a": this_year - 100, "b": this_year - 6},
                      code="invalid_birth_year")
    if region_code and not is_valid_region(region_code):
        raise Invalid(_("Choose the region from the list (a GB/T 2260 code)."), code="invalid_region")
    if not 0 < int(pledge_minutes) <= 100 * 60:
        raise Invalid(_("The pledge is between 1 minute and 100 hours a year."), code="invalid_pledge")
    profile, _created = VolunteerProfile.objects.select_for_update().get_or_create(user=user)
    profile.skills = _words(skills, label=_("Skills"))
    profile.languages = _words(languages, label=_("Languages"))
    profile.region_code = region_code or ""
    profile.availability = text_field(availability, limit=200, label=_("Availability"), required=False)
    profile.birth_year = int(birth_year) if birth_year is not None else None
    profile.emergency_contact = text_field(emergency_contact, limit=120, label=_("Emergency contact"), required=False)
    profile.pledge_minutes = int(pledge_minutes)
    profile.save()
    return profile


def _organiser_roles(actor, organisation) -> set[str]:
    roles = roles_for(actor, organisation) & states.ORGANISERS
    if not roles:
        raise Forbidden(_("Only the organisation's owners and editors run its volunteer activities."),
                        code="not_organiser")
    return roles


@transaction.atomic
def guardian_consent_record(*, organisation, volunteer, guardian_name: str, actor) -> GuardianConsent:
    """The organisation has seen a guardian's signed consent for this minor."""
    _organiser_roles(actor, organisation)
    name = text_field(guardian_name, limit=60, label=_("Guardian"))
    consent, _created = GuardianConsent.objects.update_or_create(
        volunteer=volunteer, organisation=organisation,
        defaults={"guardian_name": name, "recorded_by": actor, "recorded_at": timezone.now()},
    )
    audit_record(actor=actor, action="volunteering.guardian_consent", target=consent,
                 data={"volunteer": volunteer.pk, "organisation": organisation.slug})
    return consent


# --- activities and shifts ----------------------------------------------------------------

def _new_secret() -> str:
    return secrets.token_hex(32)


def _shift_times(starts_at, ends_at, capacity, *, longest=timedelta(hours=24)) -> tuple[datetime, datetime, int]:
    for moment in (starts_at, ends_at):
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise Invalid(_("Times need a time zone offset (RFC 3339)."), code="invalid_time")
    if ends_at <= starts_at:
        raise Invalid(_("A shift ends after it starts."), code="invalid_shift_times")
    if ends_at - starts_at > longest:
        raise Invalid(_("A shift lasts at most %(hours)d hours (an online task's window: %(days)d days).")
                      % {"hours": 24, "days": 31}, code="invalid_shift_times")
    if not isinstance(capacity, int) or not 0 < capacity <= MAX_CAPACITY:
        raise Invalid(_("A shift has between 1 and %(n)d places.") % {"n": MAX_CAPACITY}, code="invalid_capacity")
    return starts_at, ends_at, capacity


@transaction.atomic
def activity_create(
    *, organisation, actor, title, cause, region_code, shifts, description="", kind=Activity.Kind.OFFLINE,
    place="", skills_wanted=(), safety_briefing="", minimum_age=0, recurrence=Activity.Recurrence.ONCE,
    repeat=1, cancel_deadline_hours=24, group=None,
) -> Activity:
    """An organisation's activity with its shifts ((starts_at, ends_at, capacity) each);
    a weekly one repeats them `repeat` weeks. Only verified organisations host."""
    _organiser_roles(actor, organisation)
    if not organisation.is_verified:
        raise Conflict(_("Only verified organisations host volunteer activities."), code="organisation_unverified")
    if kind not in Activity.Kind.values:
        raise Invalid(_("Choose on site or online."), code="invalid_kind")
    if cause not in Cause.values:
        raise Invalid(_("Choose a cause from the list."), code="invalid_cause")
    if not is_valid_region(region_code):
        raise Invalid(_("Choose the region from the list (a GB/T 2260 code)."), code="invalid_region")
    if kind == Activity.Kind.OFFLINE and not (place or "").strip():
        raise Invalid(_("Say where volunteers meet."), code="place_required")
    if not 0 <= int(minimum_age) <= 80:
        raise Invalid(_("The minimum age is between 0 and 80."), code="invalid_minimum_age")
    if recurrence not in Activity.Recurrence.values:
        raise Invalid(_("Choose one-off or weekly."), code="invalid_recurrence")
    repeat = int(repeat) if recurrence == Activity.Recurrence.WEEKLY else 1
    if not shifts or not 1 <= repeat or len(shifts) * repeat > MAX_SHIFTS:
        raise Invalid(_("An activity has between 1 and %(n)d shifts.") % {"n": MAX_SHIFTS}, code="invalid_shifts")
    longest = timedelta(days=31) if kind == Activity.Kind.ONLINE else timedelta(hours=24)
    times = [_shift_times(*shift, longest=longest) for shift in shifts]
    activity = Activity.objects.create(
        organisation=organisation, created_by=actor, group=group,
        title=text_field(title, limit=80, label=_("Title")),
        description=text_field(description, limit=5000, label=_("Description"), required=False),
        kind=kind, cause=cause, region_code=region_code,
        place=text_field(place, limit=120, label=_("Place"), required=False),
        skills_wanted=_words(skills_wanted, label=_("Skills wanted")),
        safety_briefing=text_field(safety_briefing, limit=5000, label=_("Safety briefing"), required=False),
        minimum_age=int(minimum_age), recurrence=recurrence,
        cancel_deadline_hours=max(0, min(int(cancel_deadline_hours), 24 * 14)),
    )
    Shift.objects.bulk_create([
        Shift(activity=activity, starts_at=start, ends_at=end, capacity=capacity, secret=_new_secret())
        for starts_at, ends_at, capacity in times
        for start, end in zip(rules.weekly_starts(starts_at, repeat), rules.weekly_starts(ends_at, repeat))
    ])
    audit_record(actor=actor, action="volunteering.activity_create", target=activity)
    return activity


@transaction.atomic
def activity_cancel(*, activity, actor, reason: str) -> Activity:
    """Cancel an activity: every sign-up is cancelled and every volunteer told (after commit)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    roles = roles_for(actor, activity.organisation)
    states.ACTIVITY.check(activity.status, Activity.Status.CANCELLED, roles)
    reason = text_field(reason, limit=200, label=_("Reason"))
    activity.status, activity.cancel_reason = Activity.Status.CANCELLED, reason
    activity.save(update_fields=["status", "cancel_reason"])
    signups = list(Signup.objects.filter(shift__activity=activity, status__in=(S.CONFIRMED, S.WAITLISTED)))
    now = timezone.now()
    for signup in signups:
        states.SIGNUP.check(signup.status, S.CANCELLED, {states.SYSTEM})
    Signup.objects.filter(pk__in=[s.pk for s in signups]).update(status=S.CANCELLED, status_changed_at=now)
    audit_record(actor=actor, action="volunteering.activity_cancel", target=activity,
                 data={"reason": reason, "signups": len(signups)})
    from jusha.volunteering import tasks

    ids = [s.pk for s in signups]
    if ids:
        transaction.on_commit(lambda: tasks.tell_activity_cancelled.enqueue(activity.pk, ids), robust=True)
    return activity


# --- sign-ups -----------------------------------------------------------------------------

def _taken(shift) -> int:
    return Signup.objects.filter(shift=shift, status__in=states.TAKING_A_PLACE).count()


def _lock_shift(shift) -> Shift:
    return Shift.objects.select_for_update().select_related("activity__organisation").get(pk=shift.pk)


def _check_may_serve(shift, volunteer) -> None:
    activity = shift.activity
    profile = VolunteerProfile.objects.filter(user=volunteer).first()
    if profile is None or profile.birth_year is None:
        raise Invalid(_("Add your birth year to your volunteer profile first: organisations must know minors."),
                      code="profile_needed")
    age = rules.age_on(profile.birth_year, timezone.localdate(shift.starts_at))
    if age < activity.minimum_age:
        raise Forbidden(_("This activity is for volunteers aged %(n)d or older.") % {"n": activity.minimum_age},
                        code="too_young")
    if age < ADULT and not GuardianConsent.objects.filter(volunteer=volunteer,
                                                          organisation=activity.organisation).exists():
        raise Forbidden(_("Volunteers under 18 need a guardian's consent, recorded by the organisation first."),
                        code="guardian_consent_needed")


def _check_no_overlap(shift, volunteer) -> None:
    clash = (Signup.objects.filter(volunteer=volunteer, status__in=states.ACTIVE,
                                   shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
             .exclude(shift=shift).select_related("shift__activity").first())
    if clash is not None:
        raise Conflict(_("You are already signed up for “%(title)s” at that time.") % {"title": clash.shift.activity.title},
                       code="overlapping_shift", extra={"shift": clash.shift_id})


@transaction.atomic
def signup_create(*, shift, volunteer) -> Signup:
    """Sign up for a shift: a place if one is free, else the waitlist (promoted in order
    when a place frees up)."""
    shift = _lock_shift(shift)
    activity = shift.activity
    if activity.status != Activity.Status.PUBLISHED:
        raise Conflict(_("This activity was cancelled."), code="activity_cancelled")
    if shift.starts_at <= timezone.now():
        raise Conflict(_("This shift has started: sign-up is closed."), code="shift_started")
    _check_may_serve(shift, volunteer)
    _check_no_overlap(shift, volunteer)
    signup = Signup.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
    if signup is not None and signup.status in states.ACTIVE + (S.NO_SHOW,):
        raise Conflict(_("You are already signed up for this shift."), code="already_signed_up")
    target = S.CONFIRMED if _taken(shift) < shift.capacity else S.WAITLISTED
    now = timezone.now()
    if signup is None:
        signup = Signup.objects.create(shift=shift, volunteer=volunteer, status=target, requested_at=now,
                                       status_changed_at=now)
    else:
        states.SIGNUP.check(signup.status, target, {states.VOLUNTEER})
        signup.status, signup.requested_at, signup.status_changed_at, signup.reminded_at = target, now, now, None
        signup.save(update_fields=["status", "requested_at", "status_changed_at", "reminded_at"])
    signup.shift = shift
    return signup


def _promote(shift) -> Signup | None:
    """Give a freed place to the first on the waitlist (the shift row is locked)."""
    if _taken(shift) >= shift.capacity or shift.starts_at <= timezone.now():
        return None
    first = Signup.objects.filter(shift=shift, status=S.WAITLISTED).order_by("requested_at", "id").first()
    if first is None:
        return None
    states.SIGNUP.check(first.status, S.CONFIRMED, {states.SYSTEM})
    first.status, first.status_changed_at = S.CONFIRMED, timezone.now()
    first.save(update_fields=["status", "status_changed_at"])
    from jusha.volunteering import tasks

    transaction.on_commit(lambda: tasks.tell_promoted.enqueue(first.pk), robust=True)
    return first


@transaction.atomic
def signup_cancel(*, signup, actor) -> Signup:
    """Cancel a sign-up: the member up to the activity's deadline, the organisers any time.
    A freed place goes to the waitlist's first."""
    shift = _lock_shift(signup.shift)
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    roles = set(roles_for(actor, shift.activity.organisation) & states.ORGANISERS)
    if actor == signup.volunteer:
        roles.add(states.VOLUNTEER)
    if not roles:
        raise Forbidden(_("This is not your sign-up."), code="not_yours")
    states.SIGNUP.check(signup.status, S.CANCELLED, roles)
    deadline = shift.starts_at - timedelta(hours=shift.activity.cancel_deadline_hours)
    if roles == {states.VOLUNTEER} and signup.status == S.CONFIRMED and timezone.now() > deadline:
        raise Conflict(_("Cancelling closed %(hours)d hours before the shift: please tell the organiser.")
                       % {"hours": shift.activity.cancel_deadline_hours}, code="cancel_deadline_passed")
    was_confirmed = signup.status == S.CONFIRMED
    signup.status, signup.status_changed_at = S.CANCELLED, timezone.now()
    signup.save(update_fields=["status", "status_changed_at"])
    if was_confirmed:
        _promote(shift)
    return signup


@transaction.atomic
def signup_mark_no_show(*, signup, actor) -> Signup:
    shift = signup.shift
    roles = roles_for(actor, shift.activity.organisation) & states.ORGANISERS
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    states.SIGNUP.check(signup.status, S.NO_SHOW, roles)
    if timezone.now() < shift.starts_at:
        raise Conflict(_("A volunteer can be marked absent once the shift has started."), code="shift_not_started")
    signup.status, signup.status_changed_at = S.NO_SHOW, timezone.now()
    signup.save(update_fields=["status", "status_changed_at"])
    audit_record(actor=actor, action="volunteering.no_show", target=signup)
    return signup


# --- check-in and check-out ---------------------------------------------------------------

def shift_key(shift) -> bytes:
    """The key of a shift's codes: the site's secret and the shift's own."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|{shift.secret}".encode()).digest()


def shift_token(shift, purpose: str, moment: float | None = None) -> str:
    return rules.token_make(shift_key(shift), purpose, shift.pk, timezone.now().timestamp() if moment is None else moment)


TOKEN_REFUSALS = {
    "malformed": lambda: Invalid(_("This is not a Jusha check-in code."), code="token_malformed"),
    "forged": lambda: Forbidden(_("This check-in code is not genuine."), code="token_forged"),
    "expired": lambda: Conflict(_("This code has expired: scan the code on the organiser's screen again."),
                                code="token_expired"),
}


def open_token(token: str, moment: float) -> tuple[rules.Token, Shift]:
    try:
        claim = rules.token_parse(token)
        shift = Shift.objects.select_related("activity__organisation").filter(pk=claim.shift_id).first()
        if shift is None:
            raise rules.TokenError("forged")
        return rules.token_check(shift_key(shift), token, moment), shift
    except rules.TokenError as exc:
        raise TOKEN_REFUSALS[exc.code]() from exc


def checkin_scan(*, token: str, volunteer, now=None, scanned_at: float | None = None):
    """A member scanned a shift's code: checks them in (an "in" code) or out (an "out"
    code). The code must have been current when it was scanned (`scanned_at`, unix
    seconds: when the check-in page read it; default now). Returns (CheckIn, HoursRecord
    or None)."""
    now = now or timezone.now()
    claim, shift = open_token(str(token or ""), now.timestamp() if scanned_at is None else min(scanned_at, now.timestamp()))
    if claim.purpose == "in":
        return checkin_record(shift=shift, volunteer=volunteer, actor=volunteer, now=now), None
    return checkout_record(shift=shift, volunteer=volunteer, actor=volunteer, now=now)


def checkin_window_check(shift, now) -> None:
    """Conflict unless `now` is within the shift's check-in window."""
    opens, closes = rules.checkin_window(shift.starts_at, shift.ends_at)
    if not opens <= now <= closes:
        raise Conflict(
            _("Check-in for this shift is open from %(opens)s to %(closes)s.")
            % {"opens": timezone.localtime(opens).strftime("%m-%d %H:%M"),
               "closes": timezone.localtime(closes).strftime("%H:%M")},
            code="outside_checkin_window")


@transaction.atomic
def checkin_record(*, shift, volunteer, actor, now=None) -> CheckIn:
    now = now or timezone.now()
    roles = {states.VOLUNTEER} if actor == volunteer else roles_for(actor, shift.activity.organisation) & states.ORGANISERS
    if not roles:
        raise Forbidden(_("Only the organisers check others in."), code="not_organiser")
    if shift.activity.status != Activity.Status.PUBLISHED:
        raise Conflict(_("This activity was cancelled."), code="activity_cancelled")
    if roles == {states.VOLUNTEER}:
        checkin_window_check(shift, now)
    signup = Signup.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
    if signup is None or signup.status not in (S.CONFIRMED, S.ATTENDED, S.NO_SHOW):
        other = (Signup.objects.filter(volunteer=volunteer, status=S.CONFIRMED, shift__activity=shift.activity)
                 .exclude(shift=shift).exists())
        if other:
            raise Conflict(_("This code is for another shift than the one you signed up for."), code="other_shift")
        raise Conflict(_("You have no place on this shift: sign up first (or ask the organiser)."),
                       code="not_signed_up")
    if signup.status == S.ATTENDED:
        raise Conflict(_("You are already checked in to this shift."), code="already_checked_in")
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(shift=shift, volunteer=volunteer, checked_in_at=now)
    except IntegrityError as exc:  # two scans at the same instant: the second one loses here
        raise Conflict(_("You are already checked in to this shift."), code="already_checked_in") from exc
    states.SIGNUP.check(signup.status, S.ATTENDED, roles)
    signup.status, signup.status_changed_at = S.ATTENDED, now
    signup.save(update_fields=["status", "status_changed_at"])
    checkin.shift = shift
    return checkin


@transaction.atomic
def checkout_record(*, shift, volunteer, actor, now=None):
    """Check a member out: their minutes within the shift become a pending hours record
    for the organiser to confirm. Returns (CheckIn, HoursRecord or None)."""
    from jusha.volunteering import hours

    now = now or timezone.now()
    organiser = bool(roles_for(actor, shift.activity.organisation) & states.ORGANISERS)
    if actor != volunteer and not organiser:
        raise Forbidden(_("Only the organisers check others out."), code="not_organiser")
    checkin = CheckIn.objects.select_for_update().filter(shift=shift, volunteer=volunteer).first()
    if checkin is None:
        raise Conflict(_("You are not checked in to this shift."), code="not_checked_in")
    if checkin.checked_out_at is not None:
        raise Conflict(_("You are already checked out of this shift."), code="already_checked_out")
    opens, closes = rules.checkout_window(shift.starts_at, shift.ends_at)
    if not organiser and not opens <= now <= closes:
        raise Conflict(_("Check-out for this shift is closed: ask the organiser."), code="outside_checkout_window")
    checkin.checked_out_at, checkin.checked_out_by = now, actor
    checkin.save(update_fields=["checked_out_at", "checked_out_by"])
    checkin.shift = shift
    return checkin, hours.hours_from_checkin(checkin=checkin)



def signups_remind_due(now=None) -> int:
    """Periodic: remind each volunteer the day before their shift, once (a second worker
    finds the sign-up already marked and skips it)."""
    from jusha.volunteering import tasks

    now = now or timezone.now()
    due = Signup.objects.filter(status=S.CONFIRMED, reminded_at__isnull=True, shift__starts_at__gt=now,
                                shift__starts_at__lte=now + timedelta(hours=24),
                                shift__activity__status=Activity.Status.PUBLISHED)
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            if Signup.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                transaction.on_commit(lambda pk=pk: tasks.remind.enqueue(pk), robust=True)
                sent += 1
    return sent
