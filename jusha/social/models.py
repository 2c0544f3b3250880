"""Share links, the relay tree they form, the gifts they brought in, and the safety around them.

The tree: every link may have a parent (the link its sharer came through), fixed when the
link is made and never changed. A parent is always older than its child, so the links of a
project form a forest with no loops. `depth` is stored (1 for a first-generation link) and
every (ancestor, descendant) pair is stored once in RelayPath (a closure table), so figures
"downstream of a link" are one indexed aggregate, never a walk.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.giving.models import Donation
from jusha.projects.models import Project


class ShareLink(models.Model):
    """One sharer's short link for one project: a member's, or a guest browser's."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended after reports")
        BLOCKED = "blocked", _("Blocked by staff")

    code = models.CharField(_("code"), max_length=16, unique=True)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="share_links", verbose_name=_("project")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="share_links",
        verbose_name=_("sharer"),
    )
    # A guest's link: the salted hash of the sharer token kept in their browser session.
    session_digest = models.CharField(_("browser digest"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent link")
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    # Visitor-days: distinct visitors counted once per day (bots and the sharer not counted).
    opens = models.PositiveIntegerField(_("times opened"), default=0)
    # 点亮爱心接力: the gift after which its sharer lit the relay, and the name they chose to show.
    lit_donation = models.OneToOneField(
        Donation, null=True, blank=True, on_delete=models.SET_NULL, related_name="lit_link",
        verbose_name=_("gift that lit it"),
    )
    lit_at = models.DateTimeField(_("lit at"), null=True, blank=True)
    shown_name = models.CharField(_("name shown on the relay page"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "owner"], condition=models.Q(owner__isnull=False), name="share_link_one_per_member"
            ),
            models.UniqueConstraint(
                fields=["project", "session_digest"], condition=~models.Q(session_digest=""),
                name="share_link_one_per_browser",
            ),
            models.CheckConstraint(condition=models.Q(depth__gte=1), name="share_link_depth_positive"),
        ]
        indexes = [
            models.Index(fields=["project", "depth", "opens", "lit_at"], name="share_link_project_depth"),
            models.Index(fields=["project", "parent"], name="share_link_project_parent"),
            models.Index(fields=["project", "lit_at"], name="share_link_project_lit"),
        ]

    def __str__(self):
        return self.code


class RelayPath(models.Model):
    """Closure of the relay tree: one row per (ancestor, descendant), a link with itself at 0."""

    ancestor = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="descent", db_index=False)
    descendant = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="ancestry")
    distance = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="relay_path_unique")]


class Attribution(models.Model):
    """A gift made through a share link. Captured when the gift is opened; it counts only
    while the gift is paid and not wholly refunded (`counted`, kept in step by the giving
    services), so no figure ever joins the donations table."""

    donation = models.OneToOneField(Donation, on_delete=models.CASCADE, primary_key=True, related_name="attribution")
    link = models.ForeignKey(ShareLink, on_delete=models.PROTECT, related_name="attributions")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    depth = models.PositiveSmallIntegerField()
    amount = models.BigIntegerField()  # the gift less its refunds, in minor units
    # Who gave, as an opaque salted key: counts distinct donors (for K) without naming anyone.
    donor_key = models.CharField(max_length=40)
    anonymous = models.BooleanField(default=False)
    counted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Covering indexes for the relay's aggregates (SQLite reads them without the table).
        indexes = [
            models.Index(fields=["project", "depth", "counted", "amount"], name="attribution_project_depth"),
            models.Index(fields=["project", "donor_key", "counted"], name="attribution_project_donor"),
            models.Index(fields=["link", "counted", "amount", "anonymous"], name="attribution_link"),
        ]


class ShareOpen(models.Model):
    """One visitor opened one link on one day. `visitor` is a salted hash, never an address."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="visits")
    visitor = models.CharField(max_length=32)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "visitor", "day"], name="share_open_once_a_day")]


class SharerBlock(models.Model):
    """A member blocked from sharing by staff: no new links, and none of theirs attributes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sharer_block", verbose_name=_("user")
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sharer block")
        verbose_name_plural = _("sharer blocks")
