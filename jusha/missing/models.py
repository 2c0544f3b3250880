"""Missing-person notices kept by partner organisations, the sites that show them, the
sightings the public sends, and daily counters (no personal data, no IP address).

Public fields (shown on the case page, the list and the widget): name, sex, birth date,
when and where last seen, features, hotline, source URL, photo. Private fields (the
partner's and staff's only, every view audit-logged): the consent record, the family's
and reporter's contacts, internal notes; a sighting's contact."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.core.uploads import private_storage
from jusha.organisations.models import Organisation


class Partner(models.Model):
    """Staff's permission for an organisation to publish missing persons."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="missing_partner", verbose_name=_("organisation")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("missing-persons partner")
        verbose_name_plural = _("missing-persons partners")

    def __str__(self):
        return str(self.organisation)


class Case(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FOUND = "found", _("Found")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Sex(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")
        UNKNOWN = "u", _("Not known")

    class ConsentBy(models.TextChoices):
        NONE = "", _("No consent on file")
        FAMILY = "family", _("The family")
        AUTHORITY = "authority", _("An authority (police, court)")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="missing_cases", verbose_name=_("organisation")
    )
    ref = models.CharField(_("the partner's own id"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=80)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"))
    lost_at = models.DateTimeField(_("last seen at"))
    region_code = models.CharField(_("region last seen"), max_length=6)
    lost_place = models.CharField(_("place last seen"), max_length=200, blank=True)
    features = models.TextField(_("distinguishing features"), blank=True)
    hotline = models.CharField(_("contact hotline"), max_length=40)
    source_url = models.URLField(_("source URL"), blank=True)
    photo = models.FileField(_("photo"), upload_to="missing/", blank=True)
    photo_source = models.URLField(_("photo fetched from"), max_length=500, blank=True)
    notice_photo = models.FileField(_("notice photo"), upload_to="missing/", blank=True)
    expires_on = models.DateField(_("hidden after"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    is_demo = models.BooleanField(_("demo (fictional)"), default=False)
    # Private to the partner and staff.
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=ConsentBy.choices, blank=True)
    consent_recorded_by = models.CharField(_("consent recorded by"), max_length=80, blank=True)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    family_contact = models.CharField(_("family's contact"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=200, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    closed_at = models.DateTimeField(_("found or withdrawn at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("private fields purged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("missing person")
        verbose_name_plural = _("missing persons")
        ordering = ["-lost_at", "-pk"]
        indexes = [models.Index(fields=["status", "region_code", "lost_at"], name="missing_case_public")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "ref"], condition=~models.Q(ref=""), name="missing_case_ref_unique"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_by and self.consent_recorded_by)


def new_site_key() -> str:
    return secrets.token_urlsafe(12)


class Site(models.Model):
    class Language(models.TextChoices):
        HANS = "zh-hans", "简体中文"
        HANT = "zh-hant", "繁體中文"
        EN = "en", "English"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="missing_sites", verbose_name=_("owner")
    )
    domain = models.CharField(_("domain"), max_length=253)
    key = models.CharField(_("key"), max_length=32, unique=True, default=new_site_key)
    region_code = models.CharField(_("default region"), max_length=6, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.HANS)
    is_demo = models.BooleanField(_("demo"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("404 site")
        verbose_name_plural = _("404 sites")
        ordering = ["-created_at"]

    def __str__(self):
        return self.domain


class Sighting(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CHECKED = "checked", _("Checked")
        POLICE = "police", _("Passed to the police")
        NOT_RELEVANT = "not_relevant", _("Not relevant")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sightings", verbose_name=_("case"))
    place = models.CharField(_("place"), max_length=200)
    seen_at = models.DateTimeField(_("seen at"))
    description = models.TextField(_("description"), max_length=2000)
    photo = models.FileField(_("photo"), upload_to="missing/sightings/", storage=private_storage, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        ordering = ["-created_at"]


class DailyCount(models.Model):
    """Impressions and clicks per day, per site and per case: counts only."""

    class Kind(models.TextChoices):
        IMPRESSION = "impression", _("Impressions")
        CLICK = "click", _("Clicks")

    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "site", "case"], name="missing_count_unique"),
        ]


class Feed(models.Model):
    """A partner's feed: uploaded by hand, or re-synced from `url` every `every_hours`.
    The consent and hotline it declares apply to every case it brings."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="missing_feeds", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=80)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.CSV)
    url = models.URLField(_("feed URL (for scheduled re-sync)"), blank=True)
    every_hours = models.PositiveIntegerField(_("re-sync every (hours)"), default=24)
    mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    full = models.BooleanField(_("a full feed (a case absent from it is withdrawn)"), default=False)
    hotline = models.CharField(_("contact hotline"), max_length=40)
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=Case.ConsentBy.choices)
    consent_recorded_by = models.CharField(_("consent recorded by"), max_length=80)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner feed")
        verbose_name_plural = _("partner feeds")

    def __str__(self):
        return self.name


class FeedRun(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="runs")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row", "id", "message"}]
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
