from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.core.uploads import private_storage


class Organisation(models.Model):
    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        SUBMITTED = "submitted", _("Submitted for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    public_fundraising_qualified = models.BooleanField(_("public fundraising qualification"), default=False)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True)
    verification = models.CharField(
        _("verification"), max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        FINANCE = "finance", _("Finance")
        EDITOR = "editor", _("Editor")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.role}"


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]


class VerificationChange(models.Model):
    """The history of an organisation's verification status: who moved it, and why."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="verification_changes", verbose_name=_("organisation")
    )
    source = models.CharField(_("from status"), max_length=12)
    target = models.CharField(_("to status"), max_length=12)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification change")
        verbose_name_plural = _("verification changes")


class VerificationStep(models.Model):
    """One step of an organisation's verification, with its proof, reviewed by staff on its
    own: a donor sees which steps stand, not the proofs (they may name people)."""

    class Step(models.TextChoices):
        REGISTRY = "registry", _("Registry record")
        PEOPLE = "people", _("Responsible people")
        FUNDS = "funds", _("How funds are managed")
        BANK = "bank", _("Bank account proof")
        MILESTONES = "milestones", _("Milestones with proofs")

    class Status(models.TextChoices):
        MISSING = "missing", _("Not yet sent")
        SUBMITTED = "submitted", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Sent back")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="verification_steps", verbose_name=_("organisation")
    )
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.MISSING)
    details = models.TextField(_("details"), blank=True)
    proof = models.FileField(_("proof"), upload_to="verification/", storage=private_storage, blank=True)
    proof_sha256 = models.CharField(_("proof SHA-256"), max_length=64, blank=True)
    proof_content_type = models.CharField(_("proof content type"), max_length=40, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        verbose_name = _("verification step")
        verbose_name_plural = _("verification steps")
        ordering = ["organisation", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "step"], name="verification_step_once")]
