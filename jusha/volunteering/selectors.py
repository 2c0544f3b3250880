"""Reads of volunteering used by more than one caller: activity lists, a member's hours and
pledge, rosters, certificate facts, and the figures (by cause, region, organisation;
pledge completion; retention)."""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.db.models import Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import timezone

from jusha.accounts.models import User
from jusha.organisations.models import Organisation
from jusha.projects.models import Cause
from jusha.projects.regions import province_of, region_label, region_name
from jusha.transparency import selectors as log
from jusha.transparency.models import Fact, FactSalt
from jusha.volunteering import rules, states
from jusha.volunteering.hours import FACT_KIND
from jusha.volunteering.models import (
    PLEDGE_MINUTES, Activity, CheckIn, DeliveryAssignment, Group, GroupMember, GroupProposal, HoursRecord, Shift,
    Signup, VolunteerProfile,
)

H = HoursRecord.Status


def _with_taken(shifts):
    return shifts.annotate(taken=Count("signups", filter=Q(signups__status__in=states.TAKING_A_PLACE)),
                           waiting=Count("signups", filter=Q(signups__status=Signup.Status.WAITLISTED)))


def activities_open(*, region: str = "", day: date | None = None, skill: str = "", since=None):
    """Published activities with a shift from `since` (default: now) on, newest shift
    first-come; filtered by region (a province, prefecture or county code matches the
    places within it), a day with a shift, a skill wanted."""
    since = since or timezone.now()
    shifts = Shift.objects.filter(ends_at__gte=since)
    if day:
        start = timezone.make_aware(datetime.combine(day, time.min))
        shifts = shifts.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    activities = Activity.objects.filter(status=Activity.Status.PUBLISHED, shifts__in=shifts).distinct()
    if region:
        prefix = region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
        activities = activities.filter(region_code__startswith=prefix)
    if skill:
        wanted = [a.pk for a in activities.only("pk", "skills_wanted") if skill in (a.skills_wanted or [])]
        activities = activities.filter(pk__in=wanted)
    return (activities.select_related("organisation")
            .prefetch_related(Prefetch("shifts", queryset=_with_taken(shifts).order_by("starts_at", "id")))
            .order_by("id"))


def activity_shifts(activity):
    return list(_with_taken(activity.shifts.all()).order_by("starts_at", "id"))


def first_start(activity) -> datetime | None:
    shifts = list(activity.shifts.all())
    return shifts[0].starts_at if shifts else None


def signup_for(shift, user) -> Signup | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Signup.objects.filter(shift=shift, volunteer=user).first()


def signups_of_user_for(activity, user) -> dict[int, Signup]:
    if not getattr(user, "is_authenticated", False):
        return {}
    return {s.shift_id: s for s in Signup.objects.filter(shift__activity=activity, volunteer=user)}


def shift_taken(shift) -> int:
    return Signup.objects.filter(shift=shift, status__in=states.TAKING_A_PLACE).count()


def roster(shift) -> list[Signup]:
    """Everyone signed up for a shift, with their check-in (the organisers' view)."""
    signups = list(Signup.objects.filter(shift=shift).select_related("volunteer", "volunteer__volunteer_profile")
                   .order_by("status", "requested_at", "id"))
    checkins = {c.volunteer_id: c for c in CheckIn.objects.filter(shift=shift)}
    for signup in signups:
        signup.checkin = checkins.get(signup.volunteer_id)
    return signups


def my_signups(user):
    return (Signup.objects.filter(volunteer=user).exclude(status=Signup.Status.CANCELLED)
            .select_related("shift__activity__organisation").order_by("-shift__starts_at"))


def profile_of(user) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(user=user).first()


def my_hours(user):
    return (HoursRecord.objects.filter(volunteer=user)
            .select_related("activity", "organisation", "batch__project").order_by("-served_on", "-id"))


@dataclass
class Pledge:
    year: int
    minutes: int
    pledge: int

    @property
    def percent(self) -> int:
        return rules.pledge_progress(self.minutes, self.pledge)

    @property
    def reached(self) -> bool:
        return self.minutes >= self.pledge


def pledge_of(user, year: int | None = None) -> Pledge:
    year = year or timezone.localdate().year
    profile = profile_of(user)
    minutes = (HoursRecord.objects.filter(volunteer=user, status=H.CONFIRMED, served_on__year=year)
               .aggregate(total=Sum("minutes"))["total"] or 0)
    return Pledge(year, minutes, profile.pledge_minutes if profile else PLEDGE_MINUTES)


def hours_to_decide(organisation):
    return (HoursRecord.objects.filter(organisation=organisation, status__in=(H.PENDING, H.DISPUTED))
            .select_related("volunteer", "activity").order_by("served_on", "id"))


def organisation_activities(organisation):
    return Activity.objects.filter(organisation=organisation).order_by("-created_at")


def proposals_for(organisation):
    return GroupProposal.objects.filter(organisation=organisation, status=GroupProposal.Status.PROPOSED)\
        .select_related("group")


def assignments_of(batch):
    return DeliveryAssignment.objects.filter(batch=batch).select_related("volunteer")


# --- groups --------------------------------------------------------------------------------

def groups_all():
    return Group.objects.annotate(member_count=Count("members", distinct=True)).order_by("name")


def group_members(group):
    return list(GroupMember.objects.filter(group=group).select_related("user").order_by("role", "joined_at"))


def group_hours(group) -> dict:
    """The group's confirmed minutes together: on activities it proposed, and by all its
    members this year."""
    members = GroupMember.objects.filter(group=group).values("user")
    year = timezone.localdate().year
    confirmed = HoursRecord.objects.filter(status=H.CONFIRMED)
    return {
        "on_group_activities": confirmed.filter(activity__group=group).aggregate(m=Sum("minutes"))["m"] or 0,
        "members_this_year": confirmed.filter(volunteer__in=members, served_on__year=year)
        .aggregate(m=Sum("minutes"))["m"] or 0,
        "year": year,
    }


# --- certificates --------------------------------------------------------------------------

@dataclass
class CertificateEntry:
    record: HoursRecord
    index: int | None  # the fact's place in the log (None while queued)
    salt: bytes | None  # None once erased


@dataclass
class Certificate:
    name: str
    title: str
    entries: list[CertificateEntry] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(e.record.minutes for e in self.entries)

    @property
    def provable(self) -> list[CertificateEntry]:
        return [e for e in self.entries if e.index is not None and e.salt]

    @property
    def code(self) -> str:
        """What the QR code's link carries: each provable fact's log index and salt."""
        return ",".join(f"{e.index}.{b64(e.salt)}" for e in self.provable)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def certificate_of(user, *, records, title: str) -> Certificate:
    records = list(records.filter(volunteer=user, status=H.CONFIRMED).select_related("activity", "organisation"))
    facts = dict(Fact.objects.filter(kind=FACT_KIND, ref__in=[str(r.pk) for r in records]).values_list("ref", "id"))
    salts = {fact: bytes(salt) for fact, salt in FactSalt.objects.filter(fact_id__in=facts.values())
             .values_list("fact_id", "salt")}
    entries = []
    for record in records:
        fact = facts.get(str(record.pk))
        entries.append(CertificateEntry(record, log.log_index_for(FACT_KIND, str(record.pk)), salts.get(fact)))
    names = {r.committed_name for r in records}
    return Certificate(names.pop() if len(names) == 1 else (records[0].committed_name if records else ""), title, entries)


# --- figures ---------------------------------------------------------------------------------

def _confirmed(organisation=None, year=None):
    qs = HoursRecord.objects.filter(status=H.CONFIRMED)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if year:
        qs = qs.filter(served_on__year=year)
    return qs


def figures(*, organisation=None, year: int | None = None) -> dict:
    """Hours by cause, region (province) and organisation; pledge completion this year;
    retention year on year."""
    year = year or timezone.localdate().year
    rows = _confirmed(organisation, year)
    causes = dict(Cause.choices)
    by_cause = [(causes.get(c, c), m) for c, m in rows.values_list("cause").annotate(m=Sum("minutes")).order_by("-m")]
    provinces = defaultdict(int)
    for county, minutes in rows.values_list("county_code").annotate(m=Sum("minutes")):
        provinces[province_of(county) or county] += minutes
    by_region = sorted(((region_name(code) or code, m) for code, m in provinces.items()), key=lambda x: -x[1])
    by_org = [(name, m) for name, m in rows.values_list("organisation__name").annotate(m=Sum("minutes")).order_by("-m")[:20]]
    per_volunteer = rows.values("volunteer").annotate(m=Sum("minutes"))
    pledges = dict(VolunteerProfile.objects.values_list("user_id", "pledge_minutes"))
    volunteers = len(per_volunteer)
    reached = sum(1 for row in per_volunteer if row["m"] >= pledges.get(row["volunteer"], PLEDGE_MINUTES))
    by_year = defaultdict(set)
    for volunteer, served in _confirmed(organisation).values_list("volunteer", "served_on__year").distinct():
        by_year[served].add(volunteer)
    retention = rules.retention(dict(by_year))
    return {
        "year": year, "minutes": sum(m for _c, m in by_cause), "volunteers": volunteers,
        "by_cause": by_cause, "by_region": by_region, "by_organisation": by_org,
        "pledge_reached": reached, "pledge_percent": reached * 100 // volunteers if volunteers else 0,
        "retention": sorted(retention.items()),
    }


def region_text(code: str) -> str:
    return region_label(code)


def user_by_email(email: str):
    return User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()


def organisations_run_by(user):
    """The organisations whose volunteer activities the user runs (owner or editor)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role__in=states.ORGANISERS).distinct()


def group_membership(group, user) -> GroupMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return GroupMember.objects.filter(group=group, user=user).first()


def groups_of(user):
    return Group.objects.filter(members__user=user).order_by("name")


def hours_for_records(user, *, activity=None, year=None):
    qs = HoursRecord.objects.filter(volunteer=user)
    if activity is not None:
        qs = qs.filter(activity=activity)
    if year is not None:
        qs = qs.filter(served_on__year=year)
    return qs


def verified_organisation(slug: str):
    return Organisation.objects.filter(slug=slug, verification=Organisation.Verification.VERIFIED).first()


def verify_link(certificate) -> str:
    """The path a certificate's QR code opens: the name and, per entry, log index and salt."""
    return f"{reverse('volunteering:verify')}?n={signing.b64_encode(certificate.name.encode()).decode()}&c={certificate.code}"
