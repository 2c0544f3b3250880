from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.campaigns.rules import Window
from jusha.projects.models import Project


class Campaign(models.Model):
    """A giving day (or days): a window, optional daily hours, projects admitted by review."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=280, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Sanitised HTML"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    daily_opens = models.TimeField(_("opens each day at"), null=True, blank=True)
    daily_closes = models.TimeField(_("closes each day at"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("giving day")
        verbose_name_plural = _("giving days")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="campaign_window_order"),
            models.CheckConstraint(
                condition=models.Q(daily_opens__isnull=True, daily_closes__isnull=True)
                | models.Q(daily_opens__lt=models.F("daily_closes")),
                name="campaign_daily_hours",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def window(self) -> Window:
        return Window(self.starts_at, self.ends_at, self.daily_opens, self.daily_closes)


class Application(models.Model):
    """A project's place in a campaign: applied for by its organisation, decided by staff."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="applications", verbose_name=_("giving day")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="campaign_applications", verbose_name=_("project")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED, db_index=True)
    pitch = models.CharField(_("why this project"), max_length=280, blank=True)
    review_note = models.CharField(_("reviewer's note"), max_length=280, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("applied by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign application")
        verbose_name_plural = _("campaign applications")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "project"], name="application_once")]

    def __str__(self):
        return f"{self.project} · {self.campaign} · {self.status}"
