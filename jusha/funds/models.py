"""Cause funds: one platform-run fund per cause. A donor gives to it through the ordinary
gift path (its receiving side is an ordinary, `pooled` project owned by the platform's
organisation, so receipts, the journal and the log all work unchanged); its money is granted
out to the cause's projects with the largest unmet need by a public rule (rules.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.core.money import money_of
from jusha.projects.models import Cause, Project


class CauseFund(models.Model):
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, unique=True)
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="cause_fund",
                                   verbose_name=_("receiving project"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cause fund")
        verbose_name_plural = _("cause funds")
        ordering = ["cause"]

    def __str__(self):
        return self.get_cause_display()


class Grant(models.Model):
    """Money granted from a fund to one project: two journal entries (`grant_out` on the
    fund's project, `grant` on the target) and a public fact, in one transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fund = models.ForeignKey(CauseFund, on_delete=models.PROTECT, related_name="grants")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="fund_grants")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    need_before = models.BigIntegerField(help_text="The project's unmet need when the rule chose it")
    rule_version = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    amount_money = money_of("amount")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(condition=models.Q(amount__lte=models.F("need_before")), name="grant_within_need"),
        ]
