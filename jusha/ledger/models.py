"""The double-entry journal. Entries and postings are append-only.

The model layer refuses updates and deletes (save on an existing row, delete, and the
queryset's update/delete); a database trigger refuses them too (see the migrations).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.organisations.models import Organisation
from jusha.projects.models import BudgetLine, Project, ProjectTotal


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    currency = models.CharField(max_length=3)
    name = models.CharField(max_length=160)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return self.key


class JournalEntry(AppendOnlyModel):
    # The kinds of entry: one list, kept beside the running totals that the projects (below
    # the ledger) hold per kind.
    Kind = ProjectTotal.Kind

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the entry records: a donation id for gifts, a refund id for refunds, an
    # expenditure id for expenditures. Unique per kind: nothing is journalled twice.
    reference = models.CharField(max_length=64)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entries")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(help_text="Total debits (= total credits), minor units")
    memo = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="journal_entry_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="journal_entry_positive"),
        ]
        indexes = [models.Index(fields=["project", "-created_at", "-id"], name="journal_project_time")]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.amount} {self.currency}"


class Posting(AppendOnlyModel):
    """One line of an entry: positive = debit, negative = credit."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="posting_nonzero")]
        indexes = [models.Index(fields=["account", "entry"], name="posting_account_entry")]


class Expenditure(AppendOnlyModel):
    """Money spent on a project, against a budget line, with its voucher."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenditures")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenditures")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(_("description"), max_length=280)
    spent_on = models.DateField(_("date"))
    voucher = models.FileField(upload_to="vouchers/")
    voucher_sha256 = models.CharField(max_length=64)
    voucher_content_type = models.CharField(max_length=40)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="expenditure_positive")]

