"""Every write of teams (一起捐), the gift path through a team, following, blocking and the
feed items actions leave. Circles and gatherings: circle_services.py; notifications:
notifications.py; hiding reported content: moderation.py."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.community import notifications, rules
from jusha.community.models import (
    Block, Circle, FeedItem, Follow, MemberSettings, Notification, Team, TeamGift, TeamMember, TeamMilestone, TeamUpdate,
    Visibility,
)
from jusha.core import events
from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from jusha.core.ratelimit import rate_limit
from jusha.core.richtext import paragraphs, plain_text, sanitize_html, text_field
from jusha.core.uploads import clean_image
from jusha.giving.selectors import COUNTED
from jusha.giving.services import project_accepting
from jusha.organisations.models import Organisation
from jusha.social.models import Attribution

logger = logging.getLogger("jusha.community")


def _require_member(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Forbidden(_("Please log in first."), code="not_member")


def rich_text(value, *, limit: int, label, required: bool = True) -> str:
    """What a member wrote in a plain box or as simple HTML: paragraphs kept, sanitised with
    nh3, at most `limit` characters of text (413 past it: a story is not a field typo)."""
    html = sanitize_html(paragraphs(value or ""))
    text = plain_text(html)
    if required and not text:
        raise Invalid(_("%(field)s is required.") % {"field": label}, code="field_required", extra={"field": label})
    if len(text) > limit or len(html) > rules.STORY_HTML_MAX:
        raise TooLarge(_("%(field)s is longer than %(limit)d characters.") % {"field": label, "limit": limit},
                       code="text_too_long", extra={"field": label})
    return html


def feed_write(*, source: str, kind: str, ref: str, title: str, url: str, actor=None, actor_id=None, project=None,
               excerpt: str = "", public: bool = True, at=None) -> None:
    """Leave one feed item, once per `ref` (a replayed event writes nothing more)."""
    FeedItem.objects.bulk_create([FeedItem(
        source=source, kind=kind, ref=ref[:64], actor_id=actor.pk if actor is not None else actor_id, project=project, title=title[:200], url=url[:200],
        excerpt=excerpt[:300], public=public, created_at=at or timezone.now(),
    )], ignore_conflicts=True)


def _team_url(team) -> str:
    return reverse("community:team", args=[team.slug])


# --- teams -------------------------------------------------------------------------------

def _checked_goal(goal, project) -> int:
    if isinstance(goal, bool) or not isinstance(goal, int):
        raise Invalid(_("The goal must be a whole number of fen."), code="invalid_goal")
    refusal = rules.team_goal_refusal(goal=goal, project_goal=project.goal)
    messages = {
        "goal_not_positive": _("A team's goal must be more than zero."),
        "goal_too_small": _("A team's goal must be at least 1 yuan."),
        "goal_above_project": _("A team's goal cannot be more than its project's goal."),
    }
    if refusal:
        raise Invalid(messages[refusal], code=refusal)
    return goal


@transaction.atomic
def team_create(*, project, name, goal, story="", cover=None, actor) -> Team:
    """A member opens a team for a fundraising project and is its captain and first member."""
    _require_member(actor)
    name = text_field(name, limit=rules.NAME_MAX, label=_("Name"))
    goal = _checked_goal(goal, project)
    story = rich_text(story, limit=rules.STORY_MAX, label=_("Story"), required=False)
    image = clean_image(cover) if cover else None
    accepting, code, reason = project_accepting(project)
    if not accepting:
        raise Conflict(reason, code=code)
    rate_limit("community_team_create", f"user:{actor.pk}")
    team = Team.objects.create(
        slug=rules.new_slug(name), project=project, captain=actor, name=name, goal=goal, currency=project.currency,
        story=story,
    )
    if image is not None:
        team.cover.save(image.content.name, image.content, save=True)
    TeamMember.objects.create(team=team, user=actor)
    feed_write(source=rules.key(rules.PERSON, actor.pk), kind=FeedItem.Kind.TEAM_OPENED, ref=f"team:{team.pk}",
               actor=actor, project=project, title=_("opened the team “%(team)s” for “%(project)s”") % {
                   "team": name, "project": project.title}, url=_team_url(team), excerpt=plain_text(story))
    return team


@transaction.atomic
def team_join(*, team, actor) -> TeamMember:
    _require_member(actor)
    if Block.objects.filter(blocker_id=team.captain_id, blocked=actor).exists():
        raise Forbidden(_("You cannot join this team."), code="blocked")
    rate_limit("community_join", f"user:{actor.pk}")  # each join tells the captain and friends
    try:
        with transaction.atomic():
            membership = TeamMember.objects.create(team=team, user=actor)
    except IntegrityError:
        raise Conflict(_("You are already a member of this team."), code="already_member") from None
    notifications.notify(users=[team.captain_id], kind=Notification.Kind.TEAM_JOINED, url=_team_url(team),
                         text=_("%(name)s joined your team “%(team)s”.") % {"name": actor.public_name, "team": team.name})
    feed_write(source=rules.key(rules.PERSON, actor.pk), kind=FeedItem.Kind.JOINED_TEAM,
               ref=f"joined:{team.pk}:{actor.pk}", actor=actor, project=team.project,
               title=_("joined the team “%(team)s”") % {"team": team.name}, url=_team_url(team))
    return membership


@transaction.atomic
def team_leave(*, team, actor) -> None:
    if team.captain_id == getattr(actor, "pk", None):
        raise Conflict(_("The captain cannot leave the team."), code="captain_stays")
    deleted, _rows = TeamMember.objects.filter(team=team, user=actor).delete()
    if not deleted:
        raise NotFound(_("You are not a member of this team."), code="not_member")


@transaction.atomic
def team_update_post(*, team, body, actor) -> TeamUpdate:
    """The captain posts news on the team page; the members are told, followers see it."""
    _require_member(actor)
    if team.captain_id != actor.pk:
        raise Forbidden(_("Only the team's captain may post its updates."), code="not_captain")
    body = rich_text(body, limit=rules.POST_MAX, label=_("Text"))
    rate_limit("community_post", f"user:{actor.pk}")
    update = TeamUpdate.objects.create(team=team, author=actor, body=body)
    url = _team_url(team)
    feed_write(source=rules.key(rules.TEAM, team.pk), kind=FeedItem.Kind.TEAM_UPDATE, ref=f"team_update:{update.pk}",
               actor=actor, project=team.project, title=_("News from the team “%(team)s”") % {"team": team.name},
               url=url, excerpt=plain_text(body), at=update.created_at)
    members = TeamMember.objects.filter(team=team).exclude(user=actor).values_list("user_id", flat=True)
    notifications.notify(users=list(members), kind=Notification.Kind.TEAM_UPDATE, url=url,
                         text=_("News from your team “%(team)s”.") % {"team": team.name})
    return update


# --- the gift path (core.events; the order is in docs/architecture.md) ---------------------

def gift_context_check(*, project, context) -> None:
    """giving.contributions.gift_context_checks: a gift through a team names a visible team
    of the same project, else 422 before anything is written."""
    slug = context.get("team")
    if not slug:
        return
    team = Team.objects.filter(slug=str(slug)[:64], visibility=Visibility.VISIBLE).values("project_id").first()
    if team is None or team["project_id"] != project.pk:
        raise Invalid(_("There is no such team for this project."), code="unknown_team")


def on_gift_opened(opened) -> None:
    """core.events.gift_opened (after social's share link): remember the team the gift came
    through, and the team member who brought it (the donor, else the sharer of its link)."""
    slug = opened.context.get("team")
    if not slug:
        return
    donation = opened.donation
    team = Team.objects.only("pk").get(slug=slug, project_id=donation.project_id)
    members = TeamMember.objects.filter(team=team)
    member = donation.donor_id if donation.donor_id and members.filter(user_id=donation.donor_id).exists() else None
    if member is None:
        sharer = Attribution.objects.filter(donation=donation).values_list("link__owner_id", flat=True).first()
        member = sharer if sharer and members.filter(user_id=sharer).exists() else None
    TeamGift.objects.create(donation=donation, team=team, member_id=member, donor_id=donation.donor_id)


def on_gift_changed(event) -> None:
    """core.events.gift_paid and gift_refunded: a team gift counts while paid, for what is
    left of it. The team's total moves by the difference from what the gift counted before,
    so a replayed event moves nothing."""
    donation = event.donation
    batch = events.batch_state()
    if batch is not None and "gifts" in batch:  # a settler's batch: which of its gifts are team gifts, read once
        if "community.team_gifts" not in batch:
            batch["community.team_gifts"] = set(
                TeamGift.objects.filter(donation__in=[g.pk for g in batch["gifts"]]).values_list("donation_id", flat=True))
        if donation.pk not in batch["community.team_gifts"]:
            return
    gift = TeamGift.objects.select_for_update().filter(donation=donation).first()
    if gift is None:
        return
    now_counts = donation.amount - donation.refunded_amount if donation.status in COUNTED else 0
    delta = now_counts - gift.amount
    if delta == 0:
        return
    TeamGift.objects.filter(pk=gift.pk).update(amount=now_counts, counted=now_counts > 0)
    Team.objects.filter(pk=gift.team_id).update(raised=F("raised") + delta)  # holds the team's row until commit
    team = Team.objects.select_related("project").get(pk=gift.team_id)
    for percent in rules.milestones_crossed(before=team.raised - delta, after=team.raised, goal=team.goal):
        _milestone(team, percent)


def _milestone(team, percent: int) -> None:
    if TeamMilestone.objects.filter(team=team, percent=percent).exists():
        return  # reached before, then a refund, then reached again: told once
    TeamMilestone.objects.create(team=team, percent=percent)
    url = _team_url(team)
    text = (_("Your team “%(team)s” has reached its goal!") if percent >= 100
            else _("Your team “%(team)s” is halfway to its goal.")) % {"team": team.name}
    members = list(TeamMember.objects.filter(team=team).values_list("user_id", flat=True))
    notifications.notify(users=members, kind=Notification.Kind.TEAM_MILESTONE, url=url, text=text)
    feed_write(source=rules.key(rules.TEAM, team.pk), kind=FeedItem.Kind.TEAM_MILESTONE,
               ref=f"milestone:{team.pk}:{percent}", project=team.project, url=url,
               title=_("The team “%(team)s” reached %(percent)d%% of its goal") % {"team": team.name, "percent": percent})


def on_gift_paid_feed(paid) -> None:
    """core.events.gift_paid, in its transaction (guests' gifts cost nothing here): a member's
    gift is an action their friends may see: shown only if they chose to show their gifts and
    did not give anonymously."""
    donation = paid.donation
    if not donation.donor_id:
        return
    shows = MemberSettings.objects.filter(user_id=donation.donor_id, show_gifts_to_friends=True).exists()
    project = donation.project
    feed_write(source=rules.key(rules.PERSON, donation.donor_id), kind=FeedItem.Kind.GIFT, ref=f"gift:{donation.pk}",
               actor_id=donation.donor_id, project=project, public=shows and not donation.anonymous,
               title=_("supported “%(project)s”") % {"project": project.title},
               url=reverse("projects:detail", args=[project.slug]), at=donation.paid_at)


def on_project_update(updated) -> None:
    """core.events.project_updated with a posted progress update: the organisation's followers
    see its progress (a draft's edit, with no update, is nobody's news)."""
    update = updated.update
    if update is None:
        return
    project = update.project
    feed_write(source=rules.key(rules.ORGANISATION, project.organisation_id), kind=FeedItem.Kind.PROJECT_UPDATE,
               ref=f"project_update:{update.pk}", project=project, title=f"{project.title} · {update.title}",
               url=reverse("projects:detail", args=[project.slug]), excerpt=plain_text(update.body), at=update.created_at)


# --- following and blocking ---------------------------------------------------------------

def _source_exists(kind: str, pk: int) -> bool:
    if kind == rules.PERSON:
        return get_user_model().objects.filter(pk=pk, is_active=True).exists()
    if kind == rules.ORGANISATION:
        return Organisation.objects.filter(pk=pk).exists()
    return Circle.objects.filter(pk=pk).exists()


@transaction.atomic
def follow_start(*, actor, source: str) -> Follow:
    """Follow a member, an organisation or a circle ("u:12", "o:3", "c:5"): one-way."""
    _require_member(actor)
    parsed = rules.parse_key(source)
    if parsed is None or parsed[0] == rules.TEAM:
        raise Invalid(_("Follow a member, an organisation or a circle."), code="invalid_source")
    kind, pk = parsed
    if kind == rules.PERSON and pk == actor.pk:
        raise Invalid(_("You cannot follow yourself."), code="cannot_follow_self")
    if not _source_exists(kind, pk):
        raise NotFound(_("There is nothing to follow here."), code="not_found")
    if kind == rules.PERSON and Block.objects.filter(blocker_id=pk, blocked=actor).exists():
        raise Forbidden(_("You cannot follow this member."), code="blocked")
    rate_limit("community_follow", f"user:{actor.pk}")
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=actor, source=rules.key(kind, pk))
    except IntegrityError:
        raise Conflict(_("You already follow this."), code="already_following") from None
    if kind == rules.PERSON:
        notifications.notify(users=[pk], kind=Notification.Kind.NEW_FOLLOWER,
                             url=reverse("community:person", args=[actor.pk]),
                             text=_("%(name)s followed you.") % {"name": actor.public_name})
    return follow


@transaction.atomic
def follow_stop(*, actor, source: str) -> None:
    deleted, _rows = Follow.objects.filter(follower=actor, source=source).delete()
    if not deleted:
        raise NotFound(_("You do not follow this."), code="not_following")


@transaction.atomic
def member_block(*, actor, blocked_id: int) -> Block:
    """Their content is hidden from you, and they can no longer follow you or join your teams."""
    _require_member(actor)
    if blocked_id == actor.pk:
        raise Invalid(_("You cannot block yourself."), code="cannot_block_self")
    if not get_user_model().objects.filter(pk=blocked_id).exists():
        raise NotFound(_("There is no such member."), code="not_found")
    try:
        with transaction.atomic():
            block = Block.objects.create(blocker=actor, blocked_id=blocked_id)
    except IntegrityError:
        raise Conflict(_("You have already blocked this member."), code="already_blocked") from None
    Follow.objects.filter(follower_id=blocked_id, source=rules.key(rules.PERSON, actor.pk)).delete()
    return block


@transaction.atomic
def member_unblock(*, actor, blocked_id: int) -> None:
    deleted, _rows = Block.objects.filter(blocker=actor, blocked_id=blocked_id).delete()
    if not deleted:
        raise NotFound(_("You have not blocked this member."), code="not_blocked")


@transaction.atomic
def settings_save(*, actor, show_gifts_to_friends: bool, opt_outs: set[tuple[str, str]]) -> MemberSettings:
    """What a member shows their friends, and which notifications they do not want where."""
    _require_member(actor)
    found, _created = MemberSettings.objects.update_or_create(
        user=actor, defaults={"show_gifts_to_friends": bool(show_gifts_to_friends)})
    notifications.opt_outs_set(user=actor, opt_outs=opt_outs)
    return found
