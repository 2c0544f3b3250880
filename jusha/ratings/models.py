"""A rating is computed, never entered: a snapshot a day per organisation (the history),
each with the indicators it was computed from, and the donors' one-question feedback after
delivery, which is one of its inputs."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="rating_snapshots",
        verbose_name=_("organisation"),
    )
    day = models.DateField(_("day"))
    computed_at = models.DateTimeField(_("computed at"))
    enough_history = models.BooleanField(_("enough history"), default=False)
    score = models.FloatField(_("score"), null=True, blank=True)  # null: not enough history yet
    grade = models.CharField(_("grade"), max_length=2, blank=True)
    indicators = models.JSONField(_("indicators"), default=list)
    gains = models.JSONField(_("what would raise the score"), default=list)
    method_version = models.PositiveSmallIntegerField(_("method version"))

    class Meta:
        verbose_name = _("rating snapshot")
        verbose_name_plural = _("rating snapshots")
        ordering = ["organisation", "-day"]
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="rating_once_a_day")]
        indexes = [models.Index(fields=["organisation", "-day"], name="rating_latest")]


class Feedback(models.Model):
    """One question to a donor once the help was delivered: did it arrive as promised?
    One answer per gift (it may be changed); only the stars count, no words are kept."""

    donation = models.OneToOneField(
        "giving.Donation", on_delete=models.CASCADE, related_name="delivery_feedback", verbose_name=_("gift")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("delivery feedback")
        verbose_name_plural = _("delivery feedback")
        constraints = [models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="feedback_stars_1_to_5")]
