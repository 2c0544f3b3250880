"""Crisis posts, cases and the people who answer them.

A post's text is kept (responders must read it); the author's handle and the post's URL are
encrypted at rest (`crypto.py`, MultiFernet, rotatable) and the author is grouped by a keyed
digest, never by the handle itself. `__str__` of every model names ids only, so no text or
handle reaches the admin's lists, logs or error reports.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True)  # SHA-256 of the source's key
    key_prefix = models.CharField(_("key prefix"), max_length=12)
    keep_for_research = models.BooleanField(_("keep de-identified text after purge"), default=False)
    active = models.BooleanField(_("active"), default=True)
    feed_url = models.URLField(_("feed to poll (HTTP JSON, since-cursor)"), max_length=500, blank=True)
    feed_cursor = models.CharField(_("feed cursor"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("crisis source")
        verbose_name_plural = _("crisis sources")

    def __str__(self):
        return f"source {self.pk}"


class Responder(models.Model):
    class Role(models.TextChoices):
        RESPONDER = "responder", _("Responder")
        SUPERVISOR = "supervisor", _("Crisis supervisor")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="crisis_role")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    on_duty = models.BooleanField(_("on duty"), default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("crisis responder")
        verbose_name_plural = _("crisis responders")

    def __str__(self):
        return f"{self.role} {self.user_id}"


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        HOTLINE = "hotline", _("Referred to a hotline")
        POLICE = "police", _("Referred to police")
        NO_RESPONSE = "no_response", _("No response")
        FALSE_ALARM = "false_alarm", _("False alarm")

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT)
    author_digest = models.CharField(_("author digest"), max_length=64)
    author_enc = models.BinaryField(_("author (encrypted)"))
    level = models.PositiveSmallIntegerField(_("level"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    last_post_at = models.DateTimeField(_("latest post at"))
    urgent_since = models.DateTimeField(_("urgent since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    corrected_level = models.PositiveSmallIntegerField(_("corrected level"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("crisis case")
        verbose_name_plural = _("crisis cases")
        constraints = [
            models.UniqueConstraint(fields=["source", "author_digest"], condition=~Q(status="closed"), name="crisis_one_open_case_per_author"),
        ]
        indexes = [models.Index(fields=["status", "-level", "-last_post_at"])]

    def __str__(self):
        return f"case {self.pk}"


class Post(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    external_id = models.CharField(max_length=128)
    text = models.TextField()
    posted_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    author_digest = models.CharField(max_length=64)
    author_enc = models.BinaryField()
    url_enc = models.BinaryField(null=True)
    level = models.PositiveSmallIntegerField()
    p_high = models.FloatField()
    reasons = models.JSONField(default=list)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="crisis_post_once_per_source")]

    def __str__(self):
        return f"post {self.pk}"


class ContactAttempt(models.Model):
    class Channel(models.TextChoices):
        MESSAGE = "message", _("Private message")
        PHONE = "phone", _("Phone")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    responder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"contact {self.pk}"


class LabelledExample(models.Model):
    """A responder's corrected level: the next training run's example (de-identified text)."""

    text = models.TextField()
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"example {self.pk}"
