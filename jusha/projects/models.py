from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.core.money import money_of
from jusha.organisations.models import Organisation


class Cause(models.TextChoices):
    ELDERS = "elders", _("Elders")
    CHILDREN = "children", _("Children")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    ENVIRONMENT = "environment", _("Environment")
    ANIMALS = "animals", _("Animals")
    DISASTER = "disaster", _("Disaster relief")
    POVERTY = "poverty", _("Poverty relief")
    DISABILITY = "disability", _("Disability")
    CULTURE = "culture", _("Culture")


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        FUNDRAISING = "fundraising", _("Fundraising")
        SUSPENDED = "suspended", _("Suspended")
        FUNDED = "funded", _("Funded")
        EXECUTING = "executing", _("Executing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class ShortfallRule(models.TextChoices):
        PROPORTIONAL = "proportional", _("Use the funds raised as budgeted, in proportion")
        REFUND = "refund", _("Refund every gift")

    class OverflowRule(models.TextChoices):
        REFUND = "refund", _("Refund gifts that arrive after the project is full")
        KEEP = "keep", _("Keep them as disclosed overflow for the same purpose")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects", verbose_name=_("organisation")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=280, blank=True)
    story = models.TextField(_("story"), blank=True, help_text=_("Sanitised HTML"))
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    region_code = models.CharField(_("region"), max_length=6)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    goal = models.BigIntegerField(_("goal (minor units)"))
    ends_at = models.DateTimeField(_("fundraising ends"))
    beneficiary_count = models.PositiveIntegerField(_("beneficiaries"), default=0)
    unit_name = models.CharField(_("unit name"), max_length=40, blank=True)
    unit_cost = models.BigIntegerField(_("unit cost (minor units)"), null=True, blank=True)
    shortfall_rule = models.CharField(
        _("shortfall rule"), max_length=12, choices=ShortfallRule.choices, default=ShortfallRule.PROPORTIONAL
    )
    overflow_rule = models.CharField(
        _("overflow rule"), max_length=8, choices=OverflowRule.choices, default=OverflowRule.REFUND
    )
    cover = models.ImageField(_("cover image"), upload_to="covers/", blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    review_note = models.TextField(_("review note"), blank=True)
    final_report = models.TextField(_("final report"), blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    pooled = models.BooleanField(
        _("pooled fund"), default=False,
        help_text=_("The receiving side of a platform-run cause fund: never listed as an unmet need itself"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(goal__gt=0), name="project_goal_positive"),
            models.CheckConstraint(
                condition=models.Q(unit_cost__isnull=True) | models.Q(unit_cost__gt=0), name="project_unit_cost_positive"
            ),
        ]
        indexes = [
            # The closing sweep (fundraising projects past their end) and public lists.
            models.Index(fields=["status", "ends_at"], name="project_status_ends"),
            models.Index(fields=["status", "-published_at"], name="project_status_published"),
        ]

    goal_money = money_of("goal")
    unit_cost_money = money_of("unit_cost")

    def __str__(self):
        return self.title


class BudgetLine(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    title = models.CharField(_("budget line"), max_length=120)
    amount = models.BigIntegerField(_("amount (minor units)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "position", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="budget_line_positive")]

    def __str__(self):
        return self.title


class ProjectUpdate(models.Model):
    """A progress update (项目进展) posted by the organisation's editors."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates", verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), help_text=_("Sanitised HTML"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")
        ordering = ["-created_at"]


class UpdatePhoto(models.Model):
    update = models.ForeignKey(
        ProjectUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("project update")
    )
    image = models.ImageField(_("image"), upload_to="updates/")
    caption = models.CharField(_("caption"), max_length=140, blank=True)

    class Meta:
        verbose_name = _("update photo")
        verbose_name_plural = _("update photos")


class StatusChange(models.Model):
    """Every status change of a project: from, to, who, why."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("project")
    )
    source = models.CharField(_("from status"), max_length=20)
    target = models.CharField(_("to status"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")
        ordering = ["created_at", "id"]


class ProjectTotal(models.Model):
    """Sharded running totals of a project's journal entries, per kind: what `raised`,
    `matched` and `available` are read from on every gift and page, without summing the
    journal and without one row that every gift to a hot project must lock.

    The figures belong to the project (every app above reads them through
    `projects.selectors.project_sums`); the ledger writes them: each journal entry adds its
    amount to one of SHARDS rows chosen at random, in the entry's own transaction (an
    increment in the database, never a read-modify-write in Python), so concurrent gifts to
    one project rarely touch the same row. A total is the sum of its shards.
    `manage.py ledger_check` proves every total equal to the journal.

    The table keeps the name it had when the ledger owned the model (a state-only move)."""

    class Kind(models.TextChoices):
        """The kinds of journal entry (the ledger's JournalEntry.Kind is this same list)."""

        GIFT = "gift", _("Gift received")
        REFUND = "refund", _("Refund")
        EXPENDITURE = "expenditure", _("Expenditure")
        FEE = "fee", _("Fee")
        FEE_RETURN = "fee_return", _("Fee returned by the payment provider")
        POOL_DEPOSIT = "pool_deposit", _("Matching pool deposit")
        MATCH = "match", _("Matched by a sponsor")
        MATCH_RETURN = "match_return", _("Match returned to its pool")
        COMMITMENT = "commitment", _("Committed to a delivery batch")
        RELEASE = "release", _("Batch commitment used")
        SETTLEMENT = "settlement", _("Sponsor's cash moved for a match")
        GRANT = "grant", _("Granted from a cause fund")
        GRANT_OUT = "grant_out", _("Granted out of a cause fund")

    SHARDS = 8

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    shard = models.PositiveSmallIntegerField()
    amount = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)

    class Meta:
        db_table = "ledger_projecttotal"
        constraints = [models.UniqueConstraint(fields=["project", "kind", "shard"], name="project_total_shard")]

    def __str__(self):
        return f"{self.project_id} {self.kind}[{self.shard}] {self.amount}"
