from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jusha.campaigns.models import Campaign
from jusha.core.money import money_of
from jusha.giving.models import Donation
from jusha.matching import rules
from jusha.organisations.models import Organisation
from jusha.projects.models import Project


class Pool(models.Model):
    """A sponsor's matching pool (配捐): a journal account funded by recorded deposits, and
    the rules its matches follow. Gifts never lock this row: app processes take its money
    in chunks (`PoolChunk`), and `allotted` is what chunks hold or have used, net of
    matches returned (see docs/peak.md). `manage.py ledger_check` proves the figures
    against the journal and the chunks."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    sponsor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="matching_pools", verbose_name=_("sponsor")
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="pools", verbose_name=_("giving day")
    )
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    budget = models.BigIntegerField(_("budget (minor units)"))
    min_bp = models.PositiveIntegerField(_("lowest ratio (basis points)"))
    max_bp = models.PositiveIntegerField(_("highest ratio (basis points)"))
    min_gift = models.BigIntegerField(_("smallest gift matched"), default=1)
    gift_cap = models.BigIntegerField(_("most match per gift"), null=True, blank=True)
    donor_daily_cap = models.BigIntegerField(_("most match per donor per day"), null=True, blank=True)
    project_cap = models.BigIntegerField(_("most match per project"), null=True, blank=True)
    causes = models.JSONField(_("eligible causes"), default=list, blank=True)
    projects = models.ManyToManyField(Project, blank=True, related_name="+", verbose_name=_("eligible projects"))
    tranches = models.JSONField(_("released per day"), default=list, blank=True)
    starts_at = models.DateTimeField(_("matching starts"))
    ends_at = models.DateTimeField(_("matching ends"))
    seed = models.CharField(_("seed"), max_length=64, editable=False)
    seed_hash = models.CharField(_("seed hash"), max_length=64, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    deposited = models.BigIntegerField(_("deposited (fen)"), default=0)
    allotted = models.BigIntegerField(
        _("allotted (fen)"), default=0,
        help_text=_("Handed to chunks (the unused rest of closed chunks given back), net of matches returned"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    budget_money = money_of("budget")
    deposited_money = money_of("deposited")

    class Meta:
        verbose_name = _("matching pool")
        verbose_name_plural = _("matching pools")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="pool_budget_positive"),
            models.CheckConstraint(condition=Q(min_bp__gt=0, max_bp__gte=F("min_bp")), name="pool_ratio_order"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="pool_window_order"),
            # The database's own guard: a pool never hands out one fen more than it holds.
            models.CheckConstraint(
                condition=Q(allotted__gte=0, deposited__lte=F("budget")) & Q(deposited__gte=F("allotted")),
                name="pool_never_overspent",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def rules(self) -> rules.Rules:
        return rules.Rules(
            budget=self.budget, min_bp=self.min_bp, max_bp=self.max_bp, min_gift=self.min_gift,
            gift_cap=self.gift_cap, donor_daily_cap=self.donor_daily_cap, project_cap=self.project_cap,
            tranches=tuple(self.tranches or ()),
        )



class PoolChunk(models.Model):
    """Part of a pool's money handed to one app process, which matches gifts from it without
    touching the pool's row: each chunk is drawn on by one transaction at a time (the
    process leases it to one gift at a time), `used` only grows, and never past `size`.
    A closed chunk gives the unused rest back to the pool. Chunks of a pool with a project
    cap belong to one project, so the cap is held when chunks are cut."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="chunks")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    size = models.BigIntegerField()
    used = models.BigIntegerField(default=0)
    owner = models.CharField(max_length=80, blank=True, help_text="The app process that cut it")
    opened_at = models.DateTimeField(auto_now_add=True)
    leased_at = models.DateTimeField(help_text="Last drawn on (idle chunks are given back)")
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0, used__gte=0, used__lte=F("size")), name="chunk_within_size"),
        ]
        indexes = [models.Index(fields=["pool", "closed_at"], name="chunk_pool_open")]

    def __str__(self):
        return f"chunk {self.pk} of pool {self.pool_id}: {self.used}/{self.size}"

    @property
    def room(self) -> int:
        return self.size - self.used


class Deposit(models.Model):
    """Money the sponsor paid into the pool, as received by the platform (journalled once)."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="deposits", verbose_name=_("matching pool"))
    amount = models.BigIntegerField(_("amount (fen)"))
    reference = models.CharField(_("bank or payment reference"), max_length=80)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pool_deposit_positive")]


class Match(models.Model):
    """One gift's match from one pool: journalled at once, or held for staff review.

    `amount` is what the rules gave; `returned` how much of it went back to the pool
    (refunds, or a rejected hold); `journalled` what the match entry moved (0 while held).
    """

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        HELD = "held", _("Held for review")
        RELEASED = "released", _("Released after review")
        RETURNED = "returned", _("Returned to the pool")

    donation = models.OneToOneField(
        Donation, on_delete=models.PROTECT, related_name="match", verbose_name=_("matched gift")
    )
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="matches", verbose_name=_("matching pool"))
    chunk = models.ForeignKey(
        PoolChunk, null=True, on_delete=models.PROTECT, related_name="matches", verbose_name=_("pool chunk")
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project"))
    ratio_bp = models.PositiveIntegerField(_("match ratio (basis points)"))
    amount = models.BigIntegerField(_("amount (fen)"))
    returned = models.BigIntegerField(_("returned (fen)"), default=0)
    journalled = models.BigIntegerField(_("journalled (fen)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    donor_key = models.CharField(_("donor key"), max_length=80, blank=True)
    day = models.DateField(_("day"), help_text=_("The Asia/Shanghai day the gift was paid"))
    signals = models.JSONField(_("anti-gaming signals"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=280, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="match_positive"),
            models.CheckConstraint(
                condition=Q(returned__gte=0, returned__lte=F("amount"), journalled__gte=0, journalled__lte=F("amount")),
                name="match_parts_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["pool", "project"], name="match_pool_project"),
            models.Index(fields=["pool", "donor_key", "day"], name="match_pool_donor_day"),
        ]

    def __str__(self):
        return f"{self.donation_id} {self.amount} {self.status}"

    @property
    def net(self) -> int:
        return self.amount - self.returned


class GiftContext(models.Model):
    """Where a gift came from, for the anti-gaming signals only: salted hashes of the
    client's network address and device cookie, never the values. Deleted after 90 days."""

    donation = models.OneToOneField(Donation, on_delete=models.CASCADE, primary_key=True, related_name="gift_context")
    network_hash = models.CharField(max_length=64, blank=True, db_index=True)
    device_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
