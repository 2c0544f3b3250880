"""Community API: teams (一起捐), circles, following, the feed, notifications, blocks."""

from typing import Literal

from ninja import Query, Router

from jusha.accounts.auth import member
from jusha.community import circle_services, notifications, permissions, schemas, selectors, services
from jusha.core.openapi import errors
from jusha.core.pagination import Page, page_query

router = Router(tags=["community"])


@router.post("/projects/{slug}/teams", auth=member, response={201: dict}, openapi_extra=errors(409, 413, 429))
def team_create(request, slug: str, payload: schemas.TeamIn):
    """Open a team for a fundraising project; the caller is its captain. `goal` in minor
    units: more than 0 and at most the project's goal (else 422); 409 if the project is not
    taking gifts."""
    project = permissions.access_team_project(slug=slug, user=request.auth)
    team = services.team_create(project=project, name=payload.name, goal=payload.goal, story=payload.story,
                                actor=request.auth)
    return 201, schemas.team_out(team, request)


@router.get("/projects/{slug}/teams", auth=None, response=dict)
def team_list(request, slug: str, page: Query[Page]):
    """The project's teams, most raised first."""
    project = permissions.access_team_project(slug=slug, user=request.user)
    teams = selectors.project_teams(project, limit=page.offset + page.limit)[page.offset:]
    return {"items": [schemas.team_out(t, request) for t in teams], "count": selectors.project_team_count(project)}


@router.get("/teams/{slug}", auth=None, response=dict)
def team_detail(request, slug: str):
    """A team: `raised` (paid gifts through it less refunds), `goal`, `donors` (distinct
    members who gave; each guest gift one donor) and `members` (a count)."""
    return schemas.team_out(permissions.access_team(slug=slug, user=request.user), request)


@router.post("/teams/{slug}/members", auth=member, response={201: dict}, openapi_extra=errors(409))
def team_join(request, slug: str):
    """Join a team (409 if already a member)."""
    team = permissions.access_team(slug=slug, user=request.auth)
    services.team_join(team=team, actor=request.auth)
    return 201, {"team": team.slug, "members": selectors.team_figures(team).members}


@router.delete("/teams/{slug}/members", auth=member, response={204: None}, openapi_extra=errors(409))
def team_leave(request, slug: str):
    """Leave a team (the captain stays: 409)."""
    services.team_leave(team=permissions.access_team(slug=slug, user=request.auth), actor=request.auth)
    return 204, None


@router.post("/teams/{slug}/updates", auth=member, response={201: dict}, openapi_extra=errors(413, 429))
def team_update_post(request, slug: str, payload: schemas.TextIn):
    """The captain posts news on the team page (403 for anyone else)."""
    team = permissions.access_team(slug=slug, user=request.auth)
    update = services.team_update_post(team=team, body=payload.body, actor=request.auth)
    return 201, schemas.post_out(update)


class CircleQuery(Page):
    kind: Literal["", "cause", "region"] = ""


@router.get("/circles", auth=None, response=dict)
def circle_list(request, query: Query[CircleQuery]):
    """Interest circles, by cause and by region (GB/T 2260)."""
    found = selectors.circles(kind=query.kind)
    return {"items": [schemas.circle_out(c) for c in query.window(found)], "count": found.count()}


@router.get("/circles/{slug}", auth=None, response=dict)
def circle_detail(request, slug: str):
    """A circle with its projects, recent posts, open gatherings and circle-wide totals."""
    circle = permissions.access_circle(slug=slug)
    page = selectors.circle_page(circle, viewer=request.user)
    body = schemas.circle_out(circle, members=page["totals"]["members"])
    body.update({
        "totals": page["totals"],
        "projects": [p.slug for p in page["projects"]],
        "posts": [schemas.post_out(p) for p in page["posts"]],
        "gatherings": [{"id": g.pk, "title": g.title, "place": g.place, "starts_at": schemas._time(g.starts_at),
                        "capacity": g.capacity, "signed_up": g.signed} for g in page["gatherings"]],
    })
    return body


@router.post("/circles/{slug}/members", auth=member, response={201: dict}, openapi_extra=errors(409))
def circle_join(request, slug: str):
    """Join a circle (409 if already a member)."""
    circle = permissions.access_circle(slug=slug)
    circle_services.circle_join(circle=circle, actor=request.auth)
    return 201, {"circle": circle.slug, "members": selectors.circle_totals(circle)["members"]}


@router.delete("/circles/{slug}/members", auth=member, response={204: None})
def circle_leave(request, slug: str):
    circle_services.circle_leave(circle=permissions.access_circle(slug=slug), actor=request.auth)
    return 204, None


@router.post("/circles/{slug}/posts", auth=member, response={201: dict}, openapi_extra=errors(413, 429))
def circle_post(request, slug: str, payload: schemas.TextIn):
    """Write in a circle (members only: 403)."""
    circle = permissions.access_circle(slug=slug)
    return 201, schemas.post_out(circle_services.post_create(circle=circle, body=payload.body, actor=request.auth))


FeedPage = page_query(default=30, maximum=100)


@router.get("/feed", auth=member, response=dict)
def feed(request, page: Query[FeedPage]):
    """The caller's feed, newest first: followed organisations' progress, followed circles'
    posts and gatherings, their teams' news, followed members' public posts, and friends'
    gifts they chose to show; `friends_supported`: projects that at least 3 friends gave to
    without showing it (never fewer than 3). The feed reaches back its newest 1,000 items:
    `count` is at most 1000, and an `offset` past them gives no items."""
    sources = selectors.feed_sources(request.auth)
    items, count = selectors.feed_items(request.auth, limit=page.limit, offset=page.offset, count=True, sources=sources)
    return {
        "items": [schemas.feed_item_out(i) for i in items], "count": count,
        "friends_supported": [{"project": s.slug, "title": s.title, "friends": s.friends}
                              for s in selectors.friends_supported(request.auth, sources=sources)],
    }


@router.post("/follows", auth=member, response={201: dict}, openapi_extra=errors(409, 429))
def follow_create(request, payload: schemas.FollowIn):
    """Follow a member ("u:<id>"), an organisation ("o:<id>") or a circle ("c:<id>"); one-way.
    Following oneself is 422; following twice 409."""
    follow = services.follow_start(actor=request.auth, source=payload.source)
    return 201, {"source": follow.source}


@router.delete("/follows/{source}", auth=member, response={204: None})
def follow_delete(request, source: str):
    services.follow_stop(actor=request.auth, source=source[:24])
    return 204, None


@router.post("/blocks", auth=member, response={201: dict}, openapi_extra=errors(409))
def block_create(request, payload: schemas.BlockIn):
    """Block a member: their content is hidden from you; they cannot follow you or join your teams."""
    services.member_block(actor=request.auth, blocked_id=payload.member)
    return 201, {"member": payload.member}


@router.delete("/blocks/{member_id}", auth=member, response={204: None})
def block_delete(request, member_id: int):
    services.member_unblock(actor=request.auth, blocked_id=member_id if 0 < member_id < 2**62 else 0)
    return 204, None


@router.get("/notifications", auth=member, response=dict)
def notification_list(request, page: Query[Page]):
    items, count = selectors.notifications_for(request.auth, limit=page.limit, offset=page.offset)
    return {"items": [schemas.notification_out(n) for n in items], "count": count}


@router.post("/notifications/read", auth=member, response=dict)
def notification_read(request):
    """Mark every notification read."""
    return {"marked": notifications.notifications_mark_read(user=request.auth)}
