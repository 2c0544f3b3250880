"""Monthly giving (月捐): a member's pledge of an amount each month on a day (1–28), to a
project, a cause fund or another registered target (targets.py), charged through a saved
payment agreement at the provider. Each month's charge is one PledgeCharge, unique per
pledge and period in the database: a pledge can never be charged twice for one month."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.core.money import Money, money_of
from jusha.giving.models import Donation
from jusha.projects.models import Project


class Pledge(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")

    class PauseReason(models.TextChoices):
        NONE = "", _("—")
        DONOR = "donor", _("Paused by the donor")
        PROJECT_CLOSED = "project_closed", _("The project no longer takes gifts: waiting for the donor's choice")
        PAYMENT_FAILED = "payment_failed", _("Payments kept failing")

    class AgreementStatus(models.TextChoices):
        PENDING = "pending", _("Waiting for authorisation")
        ACTIVE = "active", _("Authorised")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges")
    amount = models.BigIntegerField(_("amount per month (minor units)"))
    currency = models.CharField(max_length=3, default="CNY")
    day = models.PositiveSmallIntegerField(_("day of the month"))
    target_kind = models.CharField(max_length=20)  # "project", "cause" or a kind a higher app registered
    target_ref = models.CharField(max_length=80)  # the project's slug, the cause, ...
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pledges",
                                help_text="The project the charges go to now (a cause fund's own project for a cause)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    pause_reason = models.CharField(max_length=16, choices=PauseReason.choices, default="", blank=True)
    provider = models.CharField(max_length=20)
    agreement_id = models.CharField(max_length=64, blank=True)
    agreement_status = models.CharField(max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.PENDING)
    signing_url = models.CharField(max_length=300, blank=True)
    next_charge_on = models.DateField(null=True, blank=True, help_text="Set once the agreement is authorised")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    amount_money = money_of("amount")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(condition=models.Q(day__gte=1, day__lte=28), name="pledge_day_1_28"),
        ]
        indexes = [models.Index(fields=["status", "next_charge_on"], name="pledge_due")]

    def __str__(self):
        return f"{self.donor_id} {Money(self.amount, self.currency).display()}/month → {self.target_kind}:{self.target_ref}"


class PledgeCharge(models.Model):
    """One month's charge of a pledge. Its row is inserted (unique per pledge and period)
    before the provider is asked, so a second run, a second worker or a retry after a crash
    finds it and never charges that month again. Each attempt is its own gift (a failed
    attempt's gift stays failed); `attempts` counts them; `reference` is what the provider
    knows the current attempt by, and a time-out is asked about by it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being charged")
        UNKNOWN = "unknown", _("Outcome unknown: asking the provider")
        SUCCEEDED = "succeeded", _("Charged")
        FAILED = "failed", _("Failed: will retry")
        ABANDONED = "abandoned", _("Failed: no more retries")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="charges")
    period = models.CharField(max_length=7)  # "2026-12"
    scheduled_on = models.DateField()
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    next_retry_on = models.DateField(null=True, blank=True)
    donation = models.ForeignKey(Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    failure = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_on"]
        constraints = [models.UniqueConstraint(fields=["pledge", "period"], name="pledge_charge_once_per_period")]
        indexes = [models.Index(fields=["status", "next_retry_on"], name="pledge_charge_retry")]

    @property
    def reference(self) -> str:
        return f"plc_{self.pk.hex}_{self.attempts}"


class PledgeChange(models.Model):
    """Every status change and amount change of a pledge: from, to, who, why."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="changes")
    source = models.CharField(max_length=10)
    target = models.CharField(max_length=10)
    amount_before = models.BigIntegerField(null=True, blank=True)
    amount_after = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
