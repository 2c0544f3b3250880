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
    key_digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the source's key
    key_prefix = models.CharField(max_length=12)
    keep_for_research = models.BooleanField(_("keep de-identified text after purge"), default=False)
    active = models.BooleanField(default=True)
    feed_url = models.URLField(_("feed to poll (HTTP JSON, since-cursor)"), max_length=500, blank=True)
    feed_cursor = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"source {self.pk}"


class Responder(models.Model):
    class Role(models.TextChoices):
        RESPONDER = "responder", _("Responder")
        SUPERVISOR = "supervisor", _("Crisis supervisor")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crisis_role")
    role = models.CharField(max_length=12, choices=Role.choices)
    on_duty = models.BooleanField(default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

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

    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    author_digest = models.CharField(max_length=64)
    author_enc = models.BinaryField()
    level = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    last_post_at = models.DateTimeField()
    urgent_since = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    corrected_level = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
