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


class ProviderOrder(models.Model):
    """An order placed at a real provider (Alipay, WeChat Pay, Stripe): what our pay page
    needs to send the payer there again (a signed redirect, a QR code, a hosted page) and
    what reconciliation matches the provider's statement against. `out_trade_no` is the
    gift's id in hex (the provider's merchant order number)."""

    class Channel(models.TextChoices):
        DESKTOP = "desktop", _("Computer")
        MOBILE = "mobile", _("Phone")

    provider = models.CharField(max_length=20)
    out_trade_no = models.CharField(max_length=64)
    intent_id = models.CharField(max_length=255)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.DESKTOP)
    pay_url = models.TextField(blank=True, help_text="The provider's page or QR code content (WeChat code_url)")
    return_url = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "out_trade_no"], name="provider_order_once"),
            models.UniqueConstraint(fields=["provider", "intent_id"], name="provider_order_intent_once"),
        ]


class Reconciliation(models.Model):
    """One provider statement read against the journal (`manage.py payments_reconcile`):
    one per provider and statement day, read again replaces its findings."""

    provider = models.CharField(max_length=20)
    day = models.DateField(help_text="The statement's day (Beijing time)")
    source = models.CharField(max_length=200, help_text="The file or download it was read from")
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    gross = models.BigIntegerField(default=0, help_text="Payments on the statement, minor units")
    fees = models.BigIntegerField(default=0, help_text="Fees on the statement, minor units")
    refunds = models.BigIntegerField(default=0, help_text="Refunds on the statement, minor units")
    currency = models.CharField(max_length=3, default="CNY")
    ran_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="reconciliation_once_a_day")]

    @property
    def open_findings(self) -> int:
        return sum(1 for f in self.findings.all() if not f.resolved)


class Finding(models.Model):
    """A difference between a provider's statement and the journal."""

    class Kind(models.TextChoices):
        RECORDED_NOW = "recorded_now", _("Paid at the provider, missing from our books: recorded now")
        NOT_AT_PROVIDER = "not_at_provider", _("In our books, not on the provider's statement")
        AMOUNT_MISMATCH = "amount_mismatch", _("The amounts differ")
        FEE_MISMATCH = "fee_mismatch", _("The fees differ")
        FEE_RECORDED = "fee_recorded", _("Fee missing from our books: recorded now")
        REFUND_MISSING_HERE = "refund_missing_here", _("Refunded at the provider, not in our books")
        REFUND_MISSING_THERE = "refund_missing_there", _("Refunded in our books, not at the provider")
        UNKNOWN_ORDER = "unknown_order", _("An order this site never placed")
        BAD_LINE = "bad_line", _("A line that could not be read")

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    out_trade_no = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=64, blank=True, help_text="The refund's number, when about a refund")
    ours = models.BigIntegerField(null=True, blank=True)
    theirs = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    resolved = models.BooleanField(default=False, help_text="Set right by this run (recorded now), nothing left to do")

    class Meta:
        ordering = ["kind", "out_trade_no"]
