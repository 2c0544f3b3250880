"""One-to-one sponsorship (一对一): an organisation's programme, the beneficiaries it holds,
each donor's sponsorship of one of them for a term, the months paid, what was paid out
with vouchers, the reports and letters relayed through the organisation, and the
follow-up cases opened when contact is lost.

The least data that serves: a beneficiary's legal name, guardian and consent are private
(every view audit-logged); the public sees an alias, an age band, a province, a school
stage and a need. Photos are kept in private storage and shown only to the sponsor, and
only with consent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jusha.core.money import Money
from jusha.core.uploads import private_storage
from jusha.giving.models import Donation
from jusha.ledger.models import Expenditure
from jusha.organisations.models import Organisation
from jusha.projects.models import Project


class Programme(models.Model):
    """An organisation's sponsorship programme: the project its sponsors' gifts are paid to
    (each gift then earmarked to its sponsorship), how many sponsors one beneficiary may
    have (1: one-to-one; a few: a capped small group), and its report rhythm."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="sponsorship_programme")
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="sponsorship_programme")
    sponsors_per_beneficiary = models.PositiveSmallIntegerField(_("sponsors per beneficiary"), default=1)
    report_every_days = models.PositiveSmallIntegerField(_("a report every (days)"), default=90)
    lost_contact_after_days = models.PositiveSmallIntegerField(_("contact counts as lost after a report is late (days)"), default=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(sponsors_per_beneficiary__gte=1, sponsors_per_beneficiary__lte=5), name="programme_group_cap"),
        ]

    def __str__(self):
        return f"{self.organisation} sponsorship"


class Beneficiary(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for a sponsor")
        SPONSORED = "sponsored", _("Sponsored")
        PAUSED = "paused", _("Paused")
        GRADUATED = "graduated", _("Graduated")
        WITHDRAWN = "withdrawn", _("Left the programme")

    class Stage(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior high school")
        SENIOR = "senior", _("Senior high school")
        VOCATIONAL = "vocational", _("Vocational school")
        UNIVERSITY = "university", _("University")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="beneficiaries")
    # Private: only the organisation's members see these, and every view is audit-logged.
    legal_name = models.CharField(_("real name"), max_length=80)
    guardian_name = models.CharField(_("guardian"), max_length=80)
    guardian_consent_on = models.DateField(_("guardian consented on"))
    guardian_consent_note = models.CharField(_("how consent was given"), max_length=280, blank=True)
    photo_consent = models.BooleanField(_("the guardian consents to photos for the sponsor"), default=False)
    # Public, pseudonymous.
    alias = models.CharField(_("alias"), max_length=40)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    region_code = models.CharField(_("county"), max_length=6)
    stage = models.CharField(_("school stage"), max_length=12, choices=Stage.choices)
    need = models.CharField(_("need"), max_length=280)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "region_code", "stage"], name="sponsorship_benef_public")]

    def __str__(self):
        return self.alias


class Sponsorship(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the first month")
        ACTIVE = "active", _("Ongoing")
        PAUSED = "paused", _("Paused while we follow up")
        COMPLETED = "completed", _("Term completed")
        ENDED = "ended", _("Ended early")
        CANCELLED = "cancelled", _("Cancelled (first month not paid)")

    class Purpose(models.TextChoices):
        TUITION = "tuition", _("Tuition")
        LIVING = "living", _("Living costs")
        BOTH = "both", _("Tuition and living costs")

    class Outcome(models.TextChoices):
        GRADUATED = "graduated", _("Graduated")
        RENEWED = "renewed", _("Renewed for another term")
        CHANGED_PLAN = "changed_plan", _("Changed plan")
        WITHDRAWN = "withdrawn", _("Left the programme")

    HOLDING = (Status.PENDING, Status.ACTIVE, Status.PAUSED)  # statuses that hold a place

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sponsorships")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="sponsorships")
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsorships")
    # The place it holds among the beneficiary's sponsors (1 … the programme's cap): unique
    # among the sponsorships that hold one, so two donors can never take the last place.
    slot = models.PositiveSmallIntegerField()
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.BOTH)
    amount = models.BigIntegerField(_("per month"))
    currency = models.CharField(max_length=3)
    months = models.PositiveSmallIntegerField(_("months"))
    starts_on = models.DateField()
    paid_through = models.PositiveSmallIntegerField(default=0)  # months paid so far
    next_report_due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    renewed_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "slot"], condition=Q(status__in=["pending", "active", "paused"]),
                name="sponsorship_one_per_place",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sponsorship_amount_positive"),
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=72), name="sponsorship_months"),
        ]

    @property
    def monthly(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def account_key(self) -> str:
        # Ends in ":committed", so the ledger's checks count it with the project's other
        # earmarked money (the programme project's commitments and releases).
        return f"sponsorship:{self.pk}:committed"


class Payment(models.Model):
    """One month paid by an ordinary gift to the programme project, earmarked to the
    sponsorship when paid. `earmarked`: the gift, gross; `fee`: what the payment provider
    kept of it and has not given back, borne by this sponsorship (the month is earmarked
    net of it); `refunded`: what of the gift went back to the donor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Not paid")
        REFUNDED = "refunded", _("Refunded")

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.PROTECT, related_name="payments")
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="sponsorship_payment")
    period = models.PositiveSmallIntegerField(null=True, blank=True)  # which month, once paid
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    earmarked = models.BigIntegerField(default=0)
    fee = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsorship", "period"], condition=Q(status="paid"), name="sponsorship_month_once"
            ),
        ]


class Outflow(models.Model):
    """Money that left a sponsorship's account: paid out to the school or guardian (with its
    expenditure and voucher), or redirected to the programme's general fund."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("Paid to the school")
        GUARDIAN = "guardian", _("Paid to the guardian")
        REDIRECTED = "redirected", _("Redirected to the programme")
        REFUNDED = "refunded", _("Refunded to the donor")
        RETURNED = "returned", _("Refund not made: held for the student again")  # giving refused it; the donor chooses again

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.PROTECT, related_name="outflows")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    expenditure = models.OneToOneField(Expenditure, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=280, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sponsorship_outflow_positive")]


class Report(models.Model):
    """A report the organisation posts on the programme's schedule: grades, a letter from
    the beneficiary (checked for contact details like every message), an optional photo
    (only with consent, stripped of metadata, shown only to the sponsor)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        OUTCOME = "outcome", _("End-of-term outcome report")

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    due_on = models.DateField(null=True, blank=True)
    grades = models.CharField(_("grades"), max_length=500, blank=True)
    letter = models.TextField(_("letter"), max_length=4000, blank=True)
    photo = models.FileField(upload_to="sponsorship/", storage=private_storage, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Message(models.Model):
    """A message between sponsor and beneficiary. There is no private channel: every
    message passes the organisation (a donor's waits for its approval; the beneficiary's
    reach the organisation on paper or by phone and are typed in by it)."""

    class Direction(models.TextChoices):
        TO_BENEFICIARY = "to_beneficiary", _("From the sponsor")
        TO_SPONSOR = "to_sponsor", _("From the student")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the organisation")
        RELAYED = "relayed", _("Relayed")
        DECLINED = "declined", _("Not relayed")

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    body = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    moderation_note = models.CharField(max_length=280, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class FollowUpCase(models.Model):
    """Contact is lost (a report late past the threshold, or the beneficiary marked
    unreachable): the organisation follows up, step by step, optionally with a partner
    organisation near the beneficiary, until an outcome. Payments pause while it is open."""

    class Status(models.TextChoices):
        OPEN = "open", _("Following up")
        CLOSED = "closed", _("Finished")

    class Reason(models.TextChoices):
        REPORT_OVERDUE = "report_overdue", _("A report is long overdue")
        UNREACHABLE = "unreachable", _("Marked unreachable")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        CHANGED_PLAN = "changed_plan", _("Changed plan")
        WITHDRAWN = "withdrawn", _("Left the programme")

    class Choice(models.TextChoices):
        RESUME = "resume", _("Carry on")
        REFUND = "refund", _("Refund what is held")
        REDIRECT = "redirect", _("Give what is held to the programme")

    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.PROTECT, related_name="cases")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    partner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    donor_choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["sponsorship"], condition=Q(status="open"), name="sponsorship_one_open_case"),
        ]


class CaseStep(models.Model):
    """One thing done on a case (a call, a visit by the partner, a meeting arranged and
    recorded by the organisation), with its note."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting arranged by the organisation")

    case = models.ForeignKey(FollowUpCase, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NOTE)
    note = models.CharField(max_length=1000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
