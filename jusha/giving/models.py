import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.projects.models import Project
from jusha.core.money import Money


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        EXPIRED = "expired", _("Expired")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="donations")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    message = models.CharField(_("message"), max_length=200, blank=True)
    name = models.CharField(_("name shown"), max_length=40, blank=True)
    anonymous = models.BooleanField(_("give anonymously"), default=False)
    show_message = models.BooleanField(_("show my message on the project page"), default=False)
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="donations"
    )
    email = models.EmailField(_("email for the receipt"), blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    provider = models.CharField(max_length=20)
    intent_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    payment_url = models.CharField(max_length=300, blank=True)
    access_digest = models.CharField(max_length=64)
    receipt_number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    overflow = models.BooleanField(default=False, help_text="Arrived after the project was full or the intent expired")
    refunded_amount = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Settlement (giving.settle): a paid gift is accepted at once (paid, journalled, in its
    # project's raised) and settled within seconds by the settler, in batches (its match,
    # log fact and what the higher apps record of it). Null while the settlement is due.
    settled_at = models.DateTimeField(null=True, blank=True)
    arrived_late = models.BooleanField(
        default=False, help_text="Paid when its project no longer took gifts (whatever its overflow rule): never matched"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0) & models.Q(refunded_amount__lte=models.F("amount")),
                name="donation_refund_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "-paid_at"], name="donation_project_paid"),
            models.Index(fields=["status", "expires_at"], name="donation_status_expiry"),
            # The settler's queue: only the few paid gifts not yet settled are in it.
            models.Index(fields=["paid_at"], name="donation_unsettled",
                         condition=models.Q(paid_at__isnull=False, settled_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.id} {self.amount} {self.currency} {self.status}"

    @property
    def settling(self) -> bool:
        """Paid, its match and log fact still being settled (seconds): pages say so."""
        return self.paid_at is not None and self.settled_at is None

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def amount_display(self) -> str:
        return Money(self.amount, self.currency).display()

    @property
    def amount_major(self) -> str:
        """The amount as typed into the donate form again ("66.60"): a declined gift's retry."""
        return Money(self.amount, self.currency).major()

    @property
    def refundable_display(self) -> str:
        return Money(self.amount - self.refunded_amount, self.currency).display()

    @property
    def public_message(self) -> str:
        """The one rule for a gift's message: public only when the donor ticked "show my
        message" (whether or not they gave anonymously, which hides the name only). Pages
        and answers for anyone but the donor show this, never `message`."""
        return self.message if self.show_message else ""

    @property
    def public_name(self) -> str:
        if self.anonymous:  # the one name every page gives a donor it does not name
            return str(_("A kind guest"))
        if self.name:
            return self.name
        if self.donor_id:
            return self.donor.public_name
        return str(_("A kind guest"))


class StatusChange(models.Model):
    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="status_changes")
    source = models.CharField(max_length=20)
    target = models.CharField(max_length=20)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Refund under way")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Refund failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    provider_refund_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True, help_text="When the provider confirmed or refused it")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_created")]
