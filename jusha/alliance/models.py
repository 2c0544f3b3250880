"""The alliance's storage: webhook endpoints and their deliveries (each attempt logged),
the ActivityPub side (actor keys, followers, published activities, their deliveries, the
remote actors whose keys we checked), and partner platforms (calendar feeds, listed projects,
witnessing)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.organisations.models import Organisation


class Endpoint(models.Model):
    """An HTTPS endpoint that receives signed events (Standard Webhooks). With an
    organisation: that organisation's events; without: every organisation's (staff only)."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    # The subscribed event types, each between commas (",donation.paid,project.updated,"):
    # one `contains` lookup finds the endpoints of an event on SQLite and PostgreSQL alike.
    events = models.CharField(_("events"), max_length=300)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    description = models.CharField(_("description"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    # Since when every attempt has failed (None after any success): persistent failure
    # for longer than the retry window disables the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["active", "organisation"], name="endpoint_active_org")]

    def __str__(self):
        return self.url

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]


class Delivery(models.Model):
    """One event for one endpoint. `msg_id` is the `webhook-id` every attempt and replay
    sends, so a receiver that saw it once can ignore the repeat."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, will retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries",
                                 verbose_name=_("webhook endpoint"))
    event = models.CharField(_("event"), max_length=40)
    msg_id = models.CharField(_("webhook-id"), max_length=40, unique=True)
    payload = models.TextField(_("body"), help_text=_("The JSON body, exactly as signed and sent"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last answer code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_time"),
        ]


class Attempt(models.Model):
    """The delivery log: one row per HTTP attempt, with its answer."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log",
                                 verbose_name=_("webhook delivery"))
    number = models.PositiveIntegerField(_("attempt number"))
    status_code = models.PositiveIntegerField(_("answer code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    replay = models.BooleanField(_("replay"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]


# --- ActivityPub ---------------------------------------------------------------------------

class ActorKey(models.Model):
    """The RSA key pair of a local actor ("org:<slug>" or "project:<slug>"), made on first use."""

    actor = models.CharField(max_length=100, unique=True)
    private_pem = models.TextField()
    public_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class Follower(models.Model):
    """A remote actor following a local one; its Follow was accepted."""

    actor = models.CharField(_("followed actor"), max_length=100)
    follower = models.URLField(_("follower"), max_length=500)
    inbox = models.URLField(_("inbox"), max_length=500)
    shared_inbox = models.URLField(_("shared inbox"), max_length=500, blank=True)
    follow_id = models.URLField(_("Follow activity"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fediverse follower")
        verbose_name_plural = _("fediverse followers")
        constraints = [models.UniqueConstraint(fields=["actor", "follower"], name="follower_once")]


class Activity(models.Model):
    """An activity a local actor published (its outbox): a Create of a Note, an Accept."""

    actor = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=20)
    document = models.JSONField()
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ActivityDelivery(models.Model):
    """One activity for one remote inbox, retried with backoff like webhooks."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, will retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "inbox"], name="activity_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ap_delivery_due")]


class RemoteActor(models.Model):
    """A remote actor whose document (and public key) we fetched to check a signature."""

    uri = models.URLField(max_length=500, unique=True)
    key_id = models.CharField(max_length=500, unique=True)
    public_pem = models.TextField()
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    fetched_at = models.DateTimeField(auto_now=True)


class InboxSeen(models.Model):
    """Activity ids already taken from our inbox: a replayed request is not acted on twice."""

    activity_id = models.CharField(max_length=500, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


# --- partner platforms --------------------------------------------------------------------

class Partner(models.Model):
    """Another platform of the alliance (usually another Jusha instance). Staff configure
    what is exchanged with it: its giving-day calendar, its fundraising projects, and the
    mutual witnessing of both transparency logs."""

    name = models.CharField(_("name"), max_length=120)
    base_url = models.URLField(_("address"), max_length=300, unique=True)
    calendar_url = models.URLField(_("calendar feed (iCalendar)"), max_length=500, blank=True)
    projects_url = models.URLField(_("fundraising projects (JSON API)"), max_length=500, blank=True)
    # Witnessing: the partner's log verifier key (we cosign its checkpoints) and its
    # witness (verifier key and URL prefix: it cosigns ours).
    log_vkey = models.CharField(_("its log's verifier key"), max_length=300, blank=True)
    witness_vkey = models.CharField(_("its witness's verifier key"), max_length=300, blank=True)
    witness_url = models.URLField(_("its witness's address"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    sync_error = models.CharField(_("last sync error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner platform")
        verbose_name_plural = _("partner platforms")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerEvent(models.Model):
    """A giving day or campaign from a partner's calendar feed (replaced at each sync)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("partner platform"))
    uid = models.CharField(_("UID"), max_length=300)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner's giving day")
        verbose_name_plural = _("partners' giving days")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["partner", "uid"], name="partner_event_once")]


class PartnerProject(models.Model):
    """A partner's fundraising project, listed here; gifts go to the partner's own page
    (its ledger stays canonical: we show the figures it published, when we fetched them)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="projects",
                                verbose_name=_("partner platform"))
    slug = models.CharField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=500)
    cause = models.CharField(_("cause"), max_length=20, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    goal = models.BigIntegerField(_("goal (minor units)"), default=0)
    raised = models.BigIntegerField(_("raised (minor units)"), default=0)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("partner's project")
        verbose_name_plural = _("partners' projects")
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["partner", "slug"], name="partner_project_once")]
