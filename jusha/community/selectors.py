"""Every read of community used by pages and the API. The feed is fan-out on read: a fixed
number of queries whatever the number of sources a member follows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BigIntegerField, BooleanField, CharField, Count, Exists, OuterRef, Q, Subquery, Sum, Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr

from jusha.community import rules
from jusha.community.models import (
    Block, Circle, CircleMember, CirclePost, Comment, FeedItem, Follow, Gathering, GatheringSignup, MemberSettings,
    Notification, NotificationOptOut, Team, TeamGift, TeamMember, TeamUpdate, Visibility,
)
from jusha.projects.selectors import project_cards, project_search, project_sums

VISIBLE = Visibility.VISIBLE
FEED_PAGE = 30
# What a followed member (friend or not) does in public: what they write and open. Their gifts
# and the teams they join reach friends only (two members who follow each other).
PUBLIC_KINDS = (FeedItem.Kind.TEAM_OPENED, FeedItem.Kind.TEAM_UPDATE, FeedItem.Kind.CIRCLE_POST)
FRIEND_KINDS = (FeedItem.Kind.GIFT, FeedItem.Kind.JOINED_TEAM)


def _person_key(field: str):
    """"u:<id>" of a member id column, in SQL (SQLite and PostgreSQL alike)."""
    return Concat(Value("u:"), Cast(field, CharField()), output_field=CharField())


def blocked_ids(user):
    """The members `user` has blocked, as a subquery."""
    return Block.objects.filter(blocker=user).values("blocked_id")


def friend_keys(user):
    """Feed keys of `user`'s friends (members they follow who follow them back), as a subquery."""
    followers = Follow.objects.filter(source=rules.key(rules.PERSON, user.pk)).annotate(k=_person_key("follower_id")).values("k")
    return Follow.objects.filter(follower=user, source__in=followers).values("source")


def friend_count(user, *, sources: FeedSources | None = None) -> int:
    if sources is not None:
        return len(sources.friends)
    return Follow.objects.filter(follower=user, source__in=Follow.objects.filter(
        source=rules.key(rules.PERSON, user.pk)).annotate(k=_person_key("follower_id")).values("k")).count()


# How far back the feed reaches: its newest FEED_DEPTH items (the API's `count` is at most this).
FEED_DEPTH = 1000


@dataclass(frozen=True)
class FeedSources:
    """What a member's feed reads, as plain lists (read in one query, so that the database
    plans the feed knowing how many keys there are): every item under the keys of `whole`
    (followed organisations and circles, and the keys of their teams); what the members
    `people` (followed) write in public, wherever they write it; under the keys of `friends`
    (followed members who follow back), the gifts they chose to show and the teams they
    joined; and nothing by the members in `blocked`."""

    whole: tuple[str, ...]
    people: tuple[int, ...]
    friends: tuple[str, ...]
    blocked: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return not (self.whole or self.people or self.friends)


def feed_sources(user) -> FeedSources:
    """One query (a UNION of four small indexed reads): the member's follows, teams, friends
    and blocks."""
    me = rules.key(rules.PERSON, user.pk)
    mine = Follow.objects.filter(follower=user)
    rows = (
        mine.annotate(t=Value("f")).values_list("t", "source")
        .union(
            TeamMember.objects.filter(user=user).annotate(
                t=Value("f"), k=Concat(Value("t:"), Cast("team_id", CharField()), output_field=CharField()),
            ).values_list("t", "k"),
            # followers of mine that I follow: friends
            Follow.objects.filter(source=me, follower_id__in=mine.filter(source__startswith="u:").annotate(
                pk_=Cast(Substr("source", 3), BigIntegerField())).values("pk_")).annotate(
                t=Value("x"), k=_person_key("follower_id")).values_list("t", "k"),
            Block.objects.filter(blocker=user).annotate(
                t=Value("b"), k=Cast("blocked_id", CharField())).values_list("t", "k"),
            all=True,
        )
    )
    whole, people, friends, blocked = [], [], [], []
    for tag, value in rows:
        if tag == "f":
            (people.append(int(value[2:])) if value.startswith("u:") else whole.append(value))
        elif tag == "x":
            friends.append(value)
        else:
            blocked.append(int(value))
    return FeedSources(tuple(sorted(whole)), tuple(sorted(people)), tuple(sorted(friends)), tuple(sorted(blocked)))


# Up to this many keys, the feed names them in its query: the database then plans with the
# real numbers and reads a sparse feed (a few quiet sources) through the source and actor
# indexes. Past it, the keys stay subqueries: a member following hundreds of sources has a
# dense feed, read fastest by walking the time index from the newest item until the page is
# full (bench/feed.py measures both, and a member following nothing reads nothing).
LISTED_KEYS = 100


def _wanted(user, sources: FeedSources) -> Q:
    if len(sources.whole) + len(sources.people) + len(sources.friends) > LISTED_KEYS:
        mine = Follow.objects.filter(follower=user)
        return (
            Q(source__in=mine.exclude(source__startswith="u:").values("source"))
            | Q(source__in=TeamMember.objects.filter(user=user).annotate(
                k=Concat(Value("t:"), Cast("team_id", CharField()), output_field=CharField())).values("k"))
            | Q(actor_id__in=mine.filter(source__startswith="u:").annotate(
                pk_=Cast(Substr("source", 3), BigIntegerField())).values("pk_"), kind__in=PUBLIC_KINDS)
            | Q(source__in=friend_keys(user), kind__in=FRIEND_KINDS, public=True)
        )
    wanted = Q()
    if sources.whole:
        wanted |= Q(source__in=sources.whole)
    if sources.people:
        wanted |= Q(actor_id__in=sources.people, kind__in=PUBLIC_KINDS)
    if sources.friends:
        wanted |= Q(source__in=sources.friends, kind__in=FRIEND_KINDS, public=True)
    return wanted


def feed_items(user, *, limit: int = FEED_PAGE, offset: int = 0, count: bool = False, sources: FeedSources | None = None):
    """`user`'s feed, newest first: followed organisations' progress, followed circles' posts
    and gatherings, the teams they are in, what followed members write in public, and their
    friends' gifts they chose to show. Nothing by a member they blocked; nothing hidden.
    Fan-out on read: one query (two with `count`, which counts up to FEED_DEPTH), whatever
    the number of sources; none when the member follows nothing."""
    sources = sources or feed_sources(user)
    if sources.empty or offset >= FEED_DEPTH:
        return ([], 0) if count else []
    items = FeedItem.objects.filter(_wanted(user, sources), visibility=VISIBLE)
    if sources.blocked:
        items = items.exclude(actor_id__in=sources.blocked)
    items = items.select_related("actor").order_by("-created_at", "-id")
    page = list(items[offset: min(offset + limit, FEED_DEPTH)])
    return (page, items[:FEED_DEPTH].count()) if count else page


@dataclass(frozen=True)
class Supported:
    project_id: int
    title: str
    slug: str
    friends: int


def friends_supported(user, *, limit: int = 5, sources: FeedSources | None = None) -> list[Supported]:
    """"N friends supported this": projects that at least FRIENDS_SUPPORTED_MIN friends gave
    to without showing their gifts, never naming them. One query (with `sources` known)."""
    friends = (sources or feed_sources(user)).friends
    if not friends:
        return []
    rows = (
        FeedItem.objects.filter(kind=FeedItem.Kind.GIFT, public=False, source__in=friends, project__isnull=False)
        .values("project_id", "project__title", "project__slug")
        .annotate(n=Count("source", distinct=True))
        .filter(n__gte=rules.FRIENDS_SUPPORTED_MIN).order_by("-n", "project_id")[:limit]
    )
    return [Supported(r["project_id"], r["project__title"], r["project__slug"], r["n"]) for r in rows]


# --- teams -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamFigures:
    raised: int
    goal: int
    donors: int
    members: int

    @property
    def percent(self) -> int:
        return min(100, self.raised * 100 // self.goal) if self.goal else 0


def team_figures(team) -> TeamFigures:
    """Raised (paid gifts less refunds), donors (distinct members who gave, each guest gift
    one donor) and members: two queries."""
    gifts = TeamGift.objects.filter(team=team, counted=True).aggregate(
        members=Count("donor", distinct=True), guests=Count("pk", filter=Q(donor__isnull=True)))
    return TeamFigures(raised=team.raised, goal=team.goal, donors=gifts["members"] + gifts["guests"],
                       members=TeamMember.objects.filter(team=team).count())


def project_teams(project, *, limit: int = 10) -> list[Team]:
    """The project's team leaderboard, with `members` counted."""
    return list(
        Team.objects.filter(project=project, visibility=VISIBLE).select_related("captain")
        .annotate(members=Count("memberships")).order_by("-raised", "created_at")[:limit]
    )


def project_team_count(project) -> int:
    return Team.objects.filter(project=project, visibility=VISIBLE).count()


def member_board(team, *, limit: int = 10) -> list[dict]:
    """Team members by what they brought in (their own gifts and those through their links)."""
    rows = (
        TeamGift.objects.filter(team=team, counted=True, member__isnull=False)
        .values("member_id", "member__display_name", "member__email").annotate(total=Sum("amount"), gifts=Count("pk"))
        .order_by("-total", "member_id")[:limit]
    )
    out = []
    for row in rows:
        name = row["member__display_name"] or ((row["member__email"] or "*")[:1] + "***")
        out.append({"member": row["member_id"], "name": name, "total": row["total"], "gifts": row["gifts"]})
    return out


def team_members(team, *, limit: int = 50):
    return list(TeamMember.objects.filter(team=team).select_related("user").order_by("joined_at")[:limit])


def team_updates(team, *, viewer=None, limit: int = 20):
    updates = TeamUpdate.objects.filter(team=team, visibility=VISIBLE).select_related("author")
    if getattr(viewer, "is_authenticated", False):
        updates = updates.exclude(author_id__in=blocked_ids(viewer))
    return list(updates[:limit])


def is_team_member(team, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and TeamMember.objects.filter(team=team, user=user).exists()


def teams_of(user):
    return list(Team.objects.filter(memberships__user=user, visibility=VISIBLE).select_related("project").order_by("-created_at"))


# --- circles ------------------------------------------------------------------------------

def circles(*, kind: str = ""):
    found = Circle.objects.annotate(members=Count("memberships"))
    return found.filter(kind=kind) if kind else found


def circle_projects(circle, *, limit: int = 12):
    """The public projects of the circle's cause, or in its region (and the places within it)."""
    found = project_search(cause=circle.cause) if circle.kind == Circle.Kind.CAUSE else project_search(region=circle.region)
    return found


def circle_totals(circle, *, cards=None, head=None) -> dict:
    """Circle-wide figures: what its projects have raised, its members, posts and gatherings.
    With `cards` (all of the circle's projects, already summed) and `head` (circle_head's
    counts), no query."""
    if cards is None:
        ids = list(circle_projects(circle).values_list("pk", flat=True)[:500])
        sums = project_sums(ids)
        raised, count = sum(s.raised for s in sums.values()), len(ids)
    else:
        raised, count = sum(p.raised for p in cards), len(cards)
    if head is None:
        head = circle_head(circle)
    return {"raised": raised, "projects": count, "members": head["members"], "posts": head["posts"]}


def circle_head(circle, viewer=None) -> dict:
    """One query: the circle's members and visible posts, and the viewer's role in it (or
    None) and whether they follow it."""
    member = getattr(viewer, "is_authenticated", False)
    row = Circle.objects.filter(pk=circle.pk).annotate(
        n_members=_count(CircleMember.objects.filter(circle=OuterRef("pk"))),
        n_posts=_count(CirclePost.objects.filter(circle=OuterRef("pk"), visibility=VISIBLE)),
        my_role=Subquery(CircleMember.objects.filter(circle=OuterRef("pk"), user=viewer).values("role")[:1])
        if member else Value(None, output_field=CharField()),
        following=Exists(Follow.objects.filter(follower=viewer, source=rules.key(rules.CIRCLE, circle.pk)))
        if member else Value(False, output_field=BooleanField()),
    ).values("n_members", "n_posts", "my_role", "following").get()
    return {"members": row["n_members"], "posts": row["n_posts"], "role": row["my_role"], "following": row["following"]}


def _count(rows):
    """The number of `rows` (filtered on OuterRef("pk") of a circle), as a subquery."""
    return Coalesce(Subquery(rows.order_by().values("circle").annotate(n=Count("pk")).values("n")[:1]), 0)


CIRCLE_CARDS = 12


def circle_page(circle, *, viewer=None) -> dict:
    """Everything the circle page shows, in a fixed number of queries (fewer when all of the
    circle's projects fit on the page: their cards are its totals)."""
    found = list(circle_projects(circle)[:CIRCLE_CARDS + 1])
    projects = project_cards(found[:CIRCLE_CARDS])
    head = circle_head(circle, viewer)
    shown = Q(visibility=VISIBLE)
    if getattr(viewer, "is_authenticated", False):
        # Its author still sees their own post while staff review a report about it (marked
        # so on the page); everyone else sees nothing of it until staff decide.
        shown |= Q(visibility=Visibility.HIDDEN, author_id=viewer.pk)
    posts = CirclePost.objects.filter(shown, circle=circle).select_related("author").annotate(
        comment_count=Count("comments", filter=Q(comments__visibility=VISIBLE)))
    members = CircleMember.objects.filter(circle=circle)
    activity = FeedItem.objects.filter(
        actor_id__in=members.values("user_id"), kind__in=PUBLIC_KINDS, visibility=VISIBLE,
    ).select_related("actor").order_by("-created_at", "-id")
    if getattr(viewer, "is_authenticated", False):
        posts = posts.exclude(author_id__in=blocked_ids(viewer))
        activity = activity.exclude(actor_id__in=blocked_ids(viewer))
    posts = list(posts[:20])
    comments = Comment.objects.filter(post__in=[p.pk for p in posts], visibility=VISIBLE).select_related("author")
    if getattr(viewer, "is_authenticated", False):
        comments = comments.exclude(author_id__in=blocked_ids(viewer))
    by_post: dict[int, list] = {}
    for comment in comments.order_by("created_at"):
        by_post.setdefault(comment.post_id, []).append(comment)
    for post in posts:
        post.shown_comments = by_post.get(post.pk, [])
    gatherings = list(
        Gathering.objects.filter(circle=circle, state=Gathering.State.OPEN).annotate(signed=Count("signups"))
        .order_by("starts_at")[:10]
    )
    return {
        "projects": projects, "posts": posts, "activity": list(activity[:10]), "gatherings": gatherings,
        "totals": circle_totals(circle, cards=projects if len(found) <= CIRCLE_CARDS else None, head=head),
        "role": head["role"], "following": head["following"],
    }


def circle_membership(circle, user) -> CircleMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CircleMember.objects.filter(circle=circle, user=user).first()


def gathering_signups(gathering):
    return list(GatheringSignup.objects.filter(gathering=gathering).select_related("user").order_by("created_at"))


def is_signed_up(gathering, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and GatheringSignup.objects.filter(gathering=gathering, user=user).exists()


# --- people, follows, notifications ------------------------------------------------------

def follows(user, source: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Follow.objects.filter(follower=user, source=source).exists()


def following_of(user) -> list[str]:
    return list(Follow.objects.filter(follower=user).values_list("source", flat=True))


def followers_count(source: str) -> int:
    return Follow.objects.filter(source=source).count()


def has_blocked(user, other_id: int) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Block.objects.filter(blocker=user, blocked_id=other_id).exists()


def blocked_members(user):
    return list(Block.objects.filter(blocker=user).select_related("blocked"))


def person_activity(person, *, viewer=None, limit: int = 20):
    """A member's public activity (what they open and write; their gifts only to friends who may see them)."""
    items = FeedItem.objects.filter(actor=person, visibility=VISIBLE)
    shown = Q(kind__in=PUBLIC_KINDS)
    if getattr(viewer, "is_authenticated", False) and (
        viewer.pk == person.pk or Follow.objects.filter(follower=viewer, source=rules.key(rules.PERSON, person.pk)).filter(
            Exists(Follow.objects.filter(follower=person, source=rules.key(rules.PERSON, viewer.pk)))).exists()
    ):
        shown |= Q(kind__in=FRIEND_KINDS, public=True)
    if viewer is not None and viewer.is_authenticated and viewer.pk == person.pk:
        shown |= Q(kind__in=FRIEND_KINDS)
    return list(items.filter(shown).order_by("-created_at", "-id")[:limit])


def notifications_for(user, *, limit: int = 50, offset: int = 0):
    """In-app notifications, less the kinds turned off in the app."""
    muted = NotificationOptOut.objects.filter(user=user, channel=NotificationOptOut.Channel.APP).values("kind")
    found = Notification.objects.filter(user=user).exclude(kind__in=muted)
    return list(found[offset: offset + limit]), found.count()


def unread_count(user) -> int:
    muted = NotificationOptOut.objects.filter(user=user, channel=NotificationOptOut.Channel.APP).values("kind")
    return Notification.objects.filter(user=user, read_at__isnull=True).exclude(kind__in=muted).count()


def member_settings(user) -> MemberSettings:
    return MemberSettings.objects.filter(user=user).first() or MemberSettings(user=user)
