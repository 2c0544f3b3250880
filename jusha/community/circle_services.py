"""Every write of interest circles (兴趣圈): joining and leaving, posts and comments, and the
offline gatherings their organisers announce."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jusha.community import notifications, rules
from jusha.community.models import (
    Block, Circle, CircleMember, CirclePost, Comment, FeedItem, Gathering, GatheringSignup, Notification, Visibility,
)
from jusha.community.services import _require_member, feed_write, rich_text
from jusha.community.states import GATHERING
from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from jusha.core.ratelimit import rate_limit
from jusha.core.richtext import plain_text, text_field
from jusha.projects.models import Cause
from jusha.projects.regions import is_valid_region, region_name


def _circle_url(circle) -> str:
    return reverse("community:circle", args=[circle.slug])


def _member_of(circle, user) -> CircleMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CircleMember.objects.filter(circle=circle, user=user).first()


@transaction.atomic
def circle_create(*, kind: str, cause: str = "", region: str = "", name: str = "", description: str = "", slug: str = "",
                  actor) -> Circle:
    """Staff open a circle for a cause (one per cause) or a GB/T 2260 region (one per region)."""
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff may open circles."), code="not_staff")
    if kind == Circle.Kind.CAUSE:
        if cause not in Cause.values:
            raise Invalid(_("Choose one of the causes."), code="invalid_cause")
        with translation.override(settings.LANGUAGE_CODE):  # a stored name: the site's own language
            region, default_name = "", str(Cause(cause).label)
    elif kind == Circle.Kind.REGION:
        if not is_valid_region(region):
            raise Invalid(_("Choose a region from GB/T 2260."), code="invalid_region")
        cause, default_name = "", region_name(region)
    else:
        raise Invalid(_("A circle is about a cause or a region."), code="invalid_kind")
    name = text_field(name or default_name, limit=rules.NAME_MAX, label=_("Name"))
    try:
        with transaction.atomic():
            circle = Circle.objects.create(
                slug=slug or f"{kind}-{cause or region}", name=name, kind=kind, cause=cause, region=region,
                description=plain_text(description)[:2000],
            )
    except IntegrityError:
        raise Conflict(_("There is already a circle for this."), code="circle_exists") from None
    audit_record(actor=actor, action="circle.create", target=circle)
    return circle


@transaction.atomic
def circle_join(*, circle, actor) -> CircleMember:
    _require_member(actor)
    rate_limit("community_join", f"user:{actor.pk}")
    try:
        with transaction.atomic():
            return CircleMember.objects.create(circle=circle, user=actor)
    except IntegrityError:
        raise Conflict(_("You are already a member of this circle."), code="already_member") from None


@transaction.atomic
def circle_leave(*, circle, actor) -> None:
    deleted, _rows = CircleMember.objects.filter(circle=circle, user=actor).delete()
    if not deleted:
        raise NotFound(_("You are not a member of this circle."), code="not_member")


@transaction.atomic
def circle_organiser_set(*, circle, user, actor) -> CircleMember:
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff may name organisers."), code="not_staff")
    membership, _created = CircleMember.objects.update_or_create(
        circle=circle, user=user, defaults={"role": CircleMember.Role.ORGANISER})
    audit_record(actor=actor, action="circle.organiser", target=circle, data={"user": user.pk})
    return membership


@transaction.atomic
def post_create(*, circle, body, actor) -> CirclePost:
    """A circle's member writes to the circle (sanitised, size-limited, rate-limited)."""
    _require_member(actor)
    if _member_of(circle, actor) is None:
        raise Forbidden(_("Join the circle to post in it."), code="not_circle_member")
    body = rich_text(body, limit=rules.POST_MAX, label=_("Text"))
    rate_limit("community_post", f"user:{actor.pk}")
    post = CirclePost.objects.create(circle=circle, author=actor, body=body)
    feed_write(source=rules.key(rules.CIRCLE, circle.pk), kind=FeedItem.Kind.CIRCLE_POST, ref=f"circle_post:{post.pk}",
               actor=actor, title=circle.name, url=_circle_url(circle) + f"#post-{post.pk}", excerpt=plain_text(body),
               at=post.created_at)
    return post


@transaction.atomic
def comment_create(*, post, body, actor) -> Comment:
    _require_member(actor)
    if post.visibility != Visibility.VISIBLE:
        raise NotFound(_("There is no such post."), code="not_found")
    if _member_of(post.circle, actor) is None:
        raise Forbidden(_("Join the circle to comment in it."), code="not_circle_member")
    if Block.objects.filter(blocker_id=post.author_id, blocked=actor).exists():
        raise Forbidden(_("You cannot comment on this post."), code="blocked")
    text = plain_text(body)
    if not text:
        raise Invalid(_("%(field)s is required.") % {"field": _("Comment")}, code="field_required")
    if len(text) > rules.COMMENT_MAX:
        raise TooLarge(_("A comment is at most %(n)d characters.") % {"n": rules.COMMENT_MAX}, code="text_too_long")
    rate_limit("community_post", f"user:{actor.pk}")
    return Comment.objects.create(post=post, author=actor, body=text)


def _is_organiser(circle, user) -> bool:
    member = _member_of(circle, user)
    return bool(getattr(user, "is_staff", False) or (member and member.role == CircleMember.Role.ORGANISER))


@transaction.atomic
def gathering_create(*, circle, title, place, starts_at: datetime, capacity, description="", region="", actor) -> Gathering:
    """An organiser announces an offline gathering: place, time, capacity; members sign up."""
    _require_member(actor)
    if not _is_organiser(circle, actor):
        raise Forbidden(_("Only the circle's organisers may announce gatherings."), code="not_organiser")
    title = text_field(title, limit=80, label=_("Title"))
    place = text_field(place, limit=120, label=_("Place"))
    if region and not is_valid_region(region):
        raise Invalid(_("Choose a region from GB/T 2260."), code="invalid_region")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise Invalid(_("The capacity is a number of people from 1 to 10,000."), code="invalid_capacity")
    if starts_at is None or starts_at <= timezone.now():
        raise Invalid(_("A gathering starts in the future."), code="starts_in_past")
    rate_limit("community_gathering", f"user:{actor.pk}")  # each one tells every member of the circle
    gathering = Gathering.objects.create(
        circle=circle, organiser=actor, title=title, place=place, region=region, starts_at=starts_at, capacity=capacity,
        description=plain_text(description)[:2000],
    )
    url = reverse("community:gathering", args=[gathering.pk])
    feed_write(source=rules.key(rules.CIRCLE, circle.pk), kind=FeedItem.Kind.GATHERING, ref=f"gathering:{gathering.pk}",
               actor=actor, title=_("%(circle)s: %(title)s") % {"circle": circle.name, "title": title}, url=url,
               excerpt=place)
    members = circle.memberships.exclude(user=actor).values_list("user_id", flat=True)
    notifications.notify(users=list(members), kind=Notification.Kind.GATHERING, url=url,
                         text=_("A gathering in %(circle)s: %(title)s") % {"circle": circle.name, "title": title})
    return gathering


@transaction.atomic
def gathering_signup(*, gathering, actor) -> GatheringSignup:
    _require_member(actor)
    locked = Gathering.objects.select_for_update().get(pk=gathering.pk)  # capacity: one sign-up at a time
    if locked.state != Gathering.State.OPEN or locked.starts_at <= timezone.now():
        raise Conflict(_("This gathering is not taking sign-ups."), code="gathering_closed")
    if GatheringSignup.objects.filter(gathering=locked, user=actor).exists():
        raise Conflict(_("You have already signed up."), code="already_signed_up")
    if GatheringSignup.objects.filter(gathering=locked).count() >= locked.capacity:
        raise Conflict(_("This gathering is full."), code="gathering_full")
    return GatheringSignup.objects.create(gathering=locked, user=actor)


@transaction.atomic
def gathering_signup_cancel(*, gathering, actor) -> None:
    deleted, _rows = GatheringSignup.objects.filter(gathering=gathering, user=actor).delete()
    if not deleted:
        raise NotFound(_("You have not signed up."), code="not_signed_up")


@transaction.atomic
def gathering_cancel(*, gathering, actor, reason: str = "") -> Gathering:
    roles = {"staff"} if getattr(actor, "is_staff", False) else set()
    if _is_organiser(gathering.circle, actor):
        roles.add("organiser")
    GATHERING.check(gathering.state, Gathering.State.CANCELLED, roles)
    gathering.state = Gathering.State.CANCELLED
    gathering.save(update_fields=["state"])
    audit_record(actor=actor, action="gathering.cancel", target=gathering, data={"reason": plain_text(reason)[:200]})
    return gathering
