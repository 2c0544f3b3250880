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


class SandboxAgreement(models.Model):
    """A saved payment agreement (签约代扣) at the sandbox: the payer authorises it once on the
    hosted page; later charges are server to server. `next_outcome` tells the sandbox what
    to do with the next charge (development and tests: a declined card, a lost answer)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for authorisation")
        ACTIVE = "active", _("Authorised")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    class Outcome(models.TextChoices):
        SUCCEED = "succeed", _("Charges succeed")
        FAIL = "fail", _("The next charge fails")
        FAIL_ALWAYS = "fail_always", _("Every charge fails")
        TIMEOUT = "timeout", _("The next charge is made but its answer is lost (time-out)")

    agreement_id = models.CharField(max_length=64, unique=True)
    reference = models.CharField(max_length=64, help_text="The merchant's reference (a pledge)")
    description = models.CharField(max_length=200, blank=True)
    return_url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    next_outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.SUCCEED)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)


class SandboxAgreementCharge(models.Model):
    """A charge made on an agreement, once per merchant reference."""

    agreement = models.ForeignKey(SandboxAgreement, on_delete=models.PROTECT, related_name="charges")
    reference = models.CharField(max_length=64, unique=True)
    charge = models.OneToOneField(SandboxCharge, on_delete=models.PROTECT, related_name="agreement_charge")
    reason = models.CharField(max_length=200, blank=True)
