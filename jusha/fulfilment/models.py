"""Delivery batches: a project's plan (units per batch), its batches, their history and
the per-recipient delivery confirmations.

Money is not here: each batch's cost is moved in the journal ("commitment" and "release"
entries, see jusha.ledger), and its purchase is an ordinary Expenditure with its invoice.
"""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jusha.core.money import money_of
from jusha.ledger.models import Expenditure
from jusha.core.uploads import PrivateStorage
from jusha.projects.models import Project


def private_storage():
    """Delivery signatures are never public (core.uploads.PrivateStorage); the migrations
    name this callable."""
    return PrivateStorage()


class BatchPlan(models.Model):
    """How many of the project's units make one delivery batch (the unit and its cost are
    the project's own `unit_name` and `unit_cost`)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="batch_plan", verbose_name=_("project")
    )
    batch_size = models.PositiveIntegerField(_("units per batch"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("batch plan")
        verbose_name_plural = _("batch plans")
        constraints = [models.CheckConstraint(condition=models.Q(batch_size__gt=0), name="batch_plan_size_positive")]


class Batch(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Funded, to be purchased")
        PURCHASING = "purchasing", _("Purchased")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        DISCLOSED = "disclosed", _("Disclosed")
        CANCELLED = "cancelled", _("Cancelled: its money went back to the project")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="batches", verbose_name=_("project"))
    number = models.PositiveIntegerField(_("batch number"))
    units = models.PositiveIntegerField(_("units in the batch"))
    unit_cost = models.BigIntegerField(_("unit cost (fen)"))
    cost = models.BigIntegerField(_("cost (fen)"))
    currency = models.CharField(_("currency"), max_length=3)
    unit_cost_money = money_of("unit_cost")
    cost_money = money_of("cost")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CREATED, db_index=True)
    # When the money for it was in (the latest gift before it was created), and each step.
    funded_at = models.DateTimeField(_("funded at"), null=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    purchased_at = models.DateTimeField(_("purchased at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    disclosed_at = models.DateTimeField(_("disclosed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    expenditure = models.OneToOneField(
        Expenditure, null=True, blank=True, on_delete=models.PROTECT, related_name="batch",
        verbose_name=_("expenditure"),
    )
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    disclosure = models.TextField(_("disclosure note"), blank=True)
    # The status whose deadline passed and was flagged to the organisation (once per status).
    overdue_flagged = models.CharField(_("flagged late in status"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("delivery batch")
        verbose_name_plural = _("delivery batches")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="batch_number_once"),
            models.CheckConstraint(
                condition=models.Q(units__gt=0, unit_cost__gt=0, cost=models.F("units") * models.F("unit_cost")),
                name="batch_cost_is_units_times_unit_cost",
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="batch_status_changed")]

    def __str__(self):
        return f"{self.project_id} #{self.number}"


class StatusChange(models.Model):
    """Every status change of a batch: from, to, who (None: the platform), when."""

    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("delivery batch")
    )
    source = models.CharField(_("from status"), max_length=12, blank=True)
    target = models.CharField(_("to status"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("batch status change")
        verbose_name_plural = _("batch status changes")
        ordering = ["created_at", "id"]


class DeliveryConfirmation(models.Model):
    """One unit handed to one recipient. Public: the pseudonym, the county, the time and a
    photo taken with consent. Private: the deliverer's name and the signature image."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("delivery batch")
    )
    recipient = models.CharField(_("recipient pseudonym"), max_length=40)
    county_code = models.CharField(_("county"), max_length=6)
    delivered_at = models.DateTimeField(_("delivered at"))
    deliverer = models.CharField(_("delivered by"), max_length=60)
    photo = models.ImageField(_("photo"), upload_to="deliveries/", blank=True)
    photo_consent = models.BooleanField(_("consent to show the photo"), default=False)
    others_consented = models.BooleanField(_("others in the photo consented"), default=False)
    signature = models.FileField(_("signature"), storage=private_storage, upload_to="signatures/")
    signature_sha256 = models.CharField(_("signature SHA-256"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery confirmation")
        verbose_name_plural = _("delivery confirmations")
        ordering = ["batch", "delivered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "recipient"], name="delivery_once_per_recipient"),
            models.CheckConstraint(
                condition=models.Q(photo="") | models.Q(photo_consent=True, others_consented=True),
                name="delivery_photo_needs_consent",
            ),
        ]
