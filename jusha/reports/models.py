"""The one reports model (举报) of the whole platform.

A report names its target generically — a registered kind (`registry.py`: project,
organisation, share_link, …) and the target's primary key — with the organisation that
answers for it when there is one. The reporter is kept for staff only: no page, answer or
e-mail an organisation receives ever carries it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jusha.core.uploads import private_storage


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        INVESTIGATING = "investigating", _("Being investigated")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    class Reason(models.TextChoices):
        FRAUD = "fraud", _("Fraud: the project or organisation is fake")
        MISUSE = "misuse", _("Misuse of donated money")
        FALSE_INFORMATION = "false_information", _("False or misleading information")
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive, hateful or harassing")
        OTHER = "other", _("Something else")

    kind = models.CharField(_("kind"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("object id"))
    target_label = models.CharField(_("reported"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="reports",
        verbose_name=_("organisation"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reporter"),
    )
    reporter_contact = models.CharField(_("reporter's contact (guests)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.NEW, db_index=True)
    outcome = models.TextField(_("public outcome"), blank=True)
    answer = models.TextField(_("the organisation's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "object_id", "status"], name="report_target"),
            models.Index(fields=["organisation", "status"], name="report_organisation"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "reporter"], condition=Q(reporter__isnull=False),
                name="report_once_per_member",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.target_label}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.INVESTIGATING)


class Evidence(models.Model):
    """A file a reporter sent: type-sniffed, images re-encoded without metadata, kept in
    private storage; only staff download it (audit-logged)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("report"))
    file = models.FileField(_("file"), upload_to="reports/", storage=private_storage)
    content_type = models.CharField(_("content type"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class ReportEvent(models.Model):
    """The report's trail: every status change, the organisation's answer, staff notes."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        INVESTIGATING = "investigating", _("Investigation started")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        ANSWERED = "answered", _("The organisation answered")
        NOTE = "note", _("Staff note")
        SUSPENDED = "suspended", _("Fundraising suspended")
        HIDDEN = "hidden", _("Target hidden")
        RESTORED = "restored", _("Target restored")
        REMOVED = "removed", _("Target removed")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report"))
    action = models.CharField(_("action"), max_length=15, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "pk"]
