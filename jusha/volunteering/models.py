"""Volunteering: profiles and pledges, activities and their shifts, sign-ups (with a
waitlist), check-ins by rotating QR code, hours records (the confirmed ones are public facts
in the transparency log), certificates, volunteer groups, and volunteers assigned to
delivery batches.

Private here, never public: birth years, emergency contacts, guardians, evidence photos and
who served; the public sees activities, shifts, how many took part, and the log's facts.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jusha.core.uploads import PrivateStorage
from jusha.fulfilment.models import Batch
from jusha.organisations.models import Organisation
from jusha.projects.models import Cause

PLEDGE_MINUTES = 180  # 3 hours a year (3小时公益)


def private_storage():
    """Evidence photos are never public (core.uploads.PrivateStorage); migrations name this."""
    return PrivateStorage()


class VolunteerProfile(models.Model):
    """What an organisation needs to place a volunteer. Birth year and emergency contact are
    private: only the volunteer sees them; organisers see an age check and, for their own
    shifts, the emergency contact."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile", verbose_name=_("member")
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=120, blank=True)
    pledge_minutes = models.PositiveIntegerField(_("yearly pledge (minutes)"), default=PLEDGE_MINUTES)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")


class GuardianConsent(models.Model):
    """A guardian's consent for a minor to volunteer with one organisation, recorded by the
    organisation (it has seen the signed form)."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_consents", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation"))
    guardian_name = models.CharField(_("guardian"), max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        constraints = [models.UniqueConstraint(fields=["volunteer", "organisation"], name="guardian_consent_once")]


class Group(models.Model):
    """Members who volunteer together (e.g. 周末敬老院小组): they propose activities to a
    verified organisation and see their hours together."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer group")
        verbose_name_plural = _("volunteer groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("group"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_groups", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="group_member_once")]


class Activity(models.Model):
    class Kind(models.TextChoices):
        OFFLINE = "offline", _("On site")
        ONLINE = "online", _("Online micro-task")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Open")
        CANCELLED = "cancelled", _("Cancelled")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("One-off")
        WEEKLY = "weekly", _("Every week")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activities", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OFFLINE)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    region_code = models.CharField(_("region"), max_length=6)
    place = models.CharField(_("place"), max_length=120, blank=True)
    skills_wanted = models.JSONField(_("skills wanted"), default=list, blank=True)
    safety_briefing = models.TextField(_("safety briefing"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), default=0)
    recurrence = models.CharField(_("recurrence"), max_length=8, choices=Recurrence.choices, default=Recurrence.ONCE)
    cancel_deadline_hours = models.PositiveSmallIntegerField(_("cancel up to (hours before)"), default=24)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
        verbose_name=_("proposed by group"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Shift(models.Model):
    """One time slot of an activity. `secret` keys its rotating check-in codes (a new one
    every 30 seconds), so a code opens this shift only."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("activity"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    secret = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="shift_capacity_positive"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="shift_starts")]

    def __str__(self):
        return f"{self.activity_id} @ {self.starts_at:%Y-%m-%d %H:%M}"


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Signed up")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Checked in")
        NO_SHOW = "no_show", _("Did not come")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("shift"))
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    # The waitlist's order: when the member (last) asked for a place.
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["requested_at", "id"]
        # One row per member and shift: a sign-up after a cancellation re-opens it.
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="signup_once_per_shift")]


class CheckIn(models.Model):
    """A member's presence at a shift. The unique constraint is what makes "checked in
    once" true when two scans arrive at the same instant."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("shift"))
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_checkins", verbose_name=_("volunteer")
    )
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("checked out by"),
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="checkin_once_per_shift")]


class HoursRecord(models.Model):
    """Minutes of service: from a check-in and check-out (capped by the shift), reported by
    the volunteer with evidence, or from delivery confirmations. Confirmed by the
    organisation, it becomes a public fact (kind "volunteer_hours") and is final."""

    class Source(models.TextChoices):
        CHECKIN = "checkin", _("Checked in and out")
        SELF = "self", _("Reported by the volunteer")
        DELIVERY = "delivery", _("Deliveries")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the organisation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        REJECTED = "rejected", _("Not confirmed")

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer_hours", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="hours", verbose_name=_("activity")
    )
    checkin = models.OneToOneField(
        CheckIn, null=True, blank=True, on_delete=models.PROTECT, related_name="hours", verbose_name=_("check-in")
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("delivery batch")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    minutes = models.PositiveIntegerField(_("minutes"))
    # The most this record may count (the shift's length for a check-in); null: no cap.
    cap_minutes = models.PositiveIntegerField(_("at most (minutes)"), null=True, blank=True)
    served_on = models.DateField(_("served on"))
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    county_code = models.CharField(_("county"), max_length=6)
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(_("evidence photo"), storage=private_storage, upload_to="volunteering/", blank=True)
    dispute_reason = models.CharField(_("dispute"), max_length=300, blank=True)
    # The name the log's commitment was made with (the certificate shows it).
    committed_name = models.CharField(_("name on the certificate"), max_length=60, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decided by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("hours record")
        verbose_name_plural = _("hours records")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="hours_minutes_positive"),
            models.CheckConstraint(
                condition=models.Q(cap_minutes__isnull=True) | models.Q(minutes__lte=models.F("cap_minutes")),
                name="hours_within_cap",
            ),
        ]
        indexes = [models.Index(fields=["status", "served_on"], name="hours_status_served")]


class GroupProposal(models.Model):
    """A group asks an organisation to host an activity; the organisation accepts (creating
    the activity, linked to the group) or declines."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("group"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="volunteer_proposals", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=80)
    note = models.TextField(_("what the group proposes"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal", verbose_name=_("activity")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("group proposal")
        verbose_name_plural = _("group proposals")
        ordering = ["-created_at"]


class DeliveryAssignment(models.Model):
    """A volunteer assigned to a delivery batch. Each delivery confirmation whose
    "delivered by" is `deliverer_name` counts `minutes_per_delivery` for them."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+", verbose_name=_("delivery batch"))
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_assignments", verbose_name=_("volunteer")
    )
    deliverer_name = models.CharField(_("name on delivery confirmations"), max_length=60)
    minutes_per_delivery = models.PositiveIntegerField(_("minutes per delivery"), default=30)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery assignment")
        verbose_name_plural = _("delivery assignments")
        constraints = [
            models.UniqueConstraint(fields=["batch", "volunteer"], name="assignment_once"),
            models.UniqueConstraint(fields=["batch", "deliverer_name"], name="assignment_name_once"),
            models.CheckConstraint(condition=models.Q(minutes_per_delivery__gt=0, minutes_per_delivery__lte=480),
                                   name="assignment_minutes_sane"),
        ]
