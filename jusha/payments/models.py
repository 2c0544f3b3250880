from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentEvent(models.Model):
    """Every notification a provider sent us, once: a replay finds its event id here."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=64)
    intent_id = models.CharField(max_length=64, db_index=True)
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="payment_event_once")]


class SandboxCharge(models.Model):
    """The sandbox provider's own book of charges (what a real provider keeps on its side)."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("Waiting for payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    intent_id = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=64, help_text="The merchant's order reference")
    return_url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUIRES_PAYMENT)
    refunded = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)


class SandboxRefund(models.Model):
    """A refund the sandbox made, once per merchant reference (a real provider's
    out_request_no / idempotency key): asking again with the same reference refunds nothing
    more and answers with the same refund id."""

    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=64, unique=True)
    refund_id = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
