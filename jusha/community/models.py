"""Community: teams (一起捐), interest circles (兴趣圈) with gatherings, following, the feed,
notifications and blocks.

The feed is fan-out on read: an action is written once, as one FeedItem under its source's
key ("u:<member>", "o:<organisation>", "c:<circle>", "t:<team>"); a member's feed is one
indexed query over the keys they follow, never a copy per follower.

Content members write (team stories and updates, circle posts, comments) carries a
`visibility`: hidden pending review once reported (the platform's reports app calls
`community.moderation.content_hide` / `content_restore`), removed by staff.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.giving.models import Donation
from jusha.projects.models import Cause, Project

USER = settings.AUTH_USER_MODEL


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden pending review")
    REMOVED = "removed", _("Removed by staff")


class Team(models.Model):
    """A team raising money together toward one fundraising project (一起捐)."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="teams", verbose_name=_("project"))
    captain = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="captained_teams", verbose_name=_("captain"))
    name = models.CharField(_("name"), max_length=60)
    goal = models.BigIntegerField(_("goal (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    story = models.TextField(_("story"), blank=True, help_text=_("Sanitised HTML"))
    cover = models.ImageField(_("cover"), upload_to="teams/", blank=True)
    # Paid gifts through the team less their refunds, kept in step by the gift path (TeamGift).
    raised = models.BigIntegerField(_("raised (minor units)"), default=0)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["-raised", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(goal__gt=0), name="team_goal_positive"),
            models.CheckConstraint(condition=models.Q(raised__gte=0), name="team_raised_not_negative"),
        ]
        indexes = [models.Index(fields=["project", "visibility", "raised"], name="team_project_raised")]

    def __str__(self):
        return self.name

    @property
    def percent(self) -> int:
        return min(100, self.raised * 100 // self.goal) if self.goal else 0


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("member"))
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_once")]


class TeamGift(models.Model):
    """A gift given through a team. Captured when the gift is opened; `amount` is what it
    counts for now (0 until paid; the gift less its refunds after), so the team's total moves
    by the difference exactly once per change, whatever event arrives twice."""

    donation = models.OneToOneField(Donation, on_delete=models.CASCADE, primary_key=True, related_name="team_gift")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="gifts")
    # The team member who brought it: the donor when a member, else the sharer whose link it came through.
    member = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    donor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.BigIntegerField(default=0)
    counted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["team", "counted", "donor"], name="team_gift_donors"),
            models.Index(fields=["team", "counted", "member", "amount"], name="team_gift_members"),
        ]


class TeamMilestone(models.Model):
    """A team reached 50 % or 100 % of its goal: announced once, ever."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="milestones")
    percent = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "percent"], name="team_milestone_once")]


class TeamUpdate(models.Model):
    """News the captain posts on the team page."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="updates", verbose_name=_("team"))
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("text"), help_text=_("Sanitised HTML"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team update")
        verbose_name_plural = _("team updates")
        ordering = ["-created_at"]


class Circle(models.Model):
    """An interest circle: around a cause, or around a region (GB/T 2260)."""

    class Kind(models.TextChoices):
        CAUSE = "cause", _("Cause")
        REGION = "region", _("Region")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    region = models.CharField(_("region"), max_length=6, blank=True)  # a GB/T 2260 code
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interest circle")
        verbose_name_plural = _("interest circles")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cause"], condition=models.Q(kind="cause"), name="circle_one_per_cause"),
            models.UniqueConstraint(fields=["region"], condition=models.Q(kind="region"), name="circle_one_per_region"),
            models.CheckConstraint(
                condition=(models.Q(kind="cause") & ~models.Q(cause="")) | (models.Q(kind="region") & ~models.Q(region="")),
                name="circle_has_its_subject",
            ),
        ]

    def __str__(self):
        return self.name


class CircleMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ORGANISER = "organiser", _("Organiser")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("circle"))
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="circle_memberships", verbose_name=_("member"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("circle member")
        verbose_name_plural = _("circle members")
        constraints = [models.UniqueConstraint(fields=["circle", "user"], name="circle_member_once")]


class CirclePost(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="posts", verbose_name=_("circle"))
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("text"), help_text=_("Sanitised HTML"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("circle post")
        verbose_name_plural = _("circle posts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["circle", "visibility", "created_at"], name="circle_post_recent")]


class Comment(models.Model):
    post = models.ForeignKey(CirclePost, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post"))
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("text"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]


class Gathering(models.Model):
    """An offline gathering a circle's organiser announces (visiting an elders' home together).
    The volunteering app can later turn one into an activity with verified hours."""

    class State(models.TextChoices):
        OPEN = "open", _("Open for sign-up")
        CANCELLED = "cancelled", _("Cancelled")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="gatherings", verbose_name=_("circle"))
    organiser = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser"))
    title = models.CharField(_("title"), max_length=80)
    place = models.CharField(_("place"), max_length=120)
    region = models.CharField(_("county"), max_length=6, blank=True)  # a GB/T 2260 code
    starts_at = models.DateTimeField(_("starts at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=models.Q(capacity__gte=1), name="gathering_capacity_positive")]


class GatheringSignup(models.Model):
    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gathering", "user"], name="gathering_signup_once")]


class Follow(models.Model):
    """One-way: `follower` follows `source` ("u:<member>", "o:<organisation>", "c:<circle>").
    Two members who follow each other are friends."""

    follower = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follows")
    source = models.CharField(max_length=24)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follower", "source"], name="follow_once")]
        indexes = [models.Index(fields=["source", "follower"], name="follow_by_source")]


class FeedItem(models.Model):
    """One action, written once under its source's key; read by every follower (fan-out on read).
    Titles and links are kept with the item so that a feed page joins nothing but the actor."""

    class Kind(models.TextChoices):
        PROJECT_UPDATE = "project_update", _("Progress update")
        TEAM_OPENED = "team_opened", _("Team opened")
        TEAM_UPDATE = "team_update", _("Team update")
        TEAM_MILESTONE = "team_milestone", _("Team milestone")
        CIRCLE_POST = "circle_post", _("Circle post")
        GATHERING = "gathering", _("Gathering")
        GIFT = "gift", _("Gift")
        JOINED_TEAM = "joined_team", _("Joined a team")

    source = models.CharField(max_length=24)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ref = models.CharField(max_length=64)  # what it is about ("<kind>:<id>"): written once
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    excerpt = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=200)
    # A friend's gift shows only if they chose to show their gifts to friends (and not anonymous).
    public = models.BooleanField(default=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ref"], name="feed_item_once")]
        indexes = [
            models.Index(fields=["source", "-created_at"], name="feed_source_recent"),
            models.Index(fields=["actor", "kind", "-created_at"], name="feed_actor_recent"),
            # "N friends supported this": friends' hidden gifts, looked up by the friends' keys.
            models.Index(fields=["source", "project"], condition=models.Q(kind="gift", public=False),
                         name="feed_hidden_gifts"),
        ]


class Block(models.Model):
    """`blocker` no longer sees `blocked`'s content, and `blocked` may not follow them."""

    blocker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        TEAM_MILESTONE = "team_milestone", _("A team of mine reached a milestone")
        TEAM_UPDATE = "team_update", _("News from a team I joined")
        TEAM_JOINED = "team_joined", _("Someone joined my team")
        NEW_FOLLOWER = "new_follower", _("Someone followed me")
        GATHERING = "gathering", _("A gathering in my circle")
        CONTENT_REMOVED = "content_removed", _("Something I wrote was removed after a report")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the daily digest has taken it (sent, or skipped for an opted-out kind).
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["digested_at", "user"], name="notification_digest"),
        ]


class NotificationOptOut(models.Model):
    """A member turned one kind of notification off, in the app or in the daily email."""

    class Channel(models.TextChoices):
        APP = "app", _("In the app")
        EMAIL = "email", _("Daily email")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="notification_opt_out_once")]


class MemberSettings(models.Model):
    """What a member shows their friends."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, primary_key=True, related_name="community_settings")
    show_gifts_to_friends = models.BooleanField(_("Show my gifts to my friends"), default=False)
