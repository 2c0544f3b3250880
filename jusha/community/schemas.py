"""What the community API takes and answers (amounts in minor units, RFC 3339 times)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from jusha.community import rules, selectors


class Strict(Schema):
    # An unknown field is refused (422), never ignored: "author" cannot post as someone else.
    model_config = ConfigDict(extra="forbid")


class TeamIn(Strict):
    name: str = Field(..., max_length=200)
    goal: StrictInt = Field(..., description="Minor units (fen): more than 0 and at most the project's goal")
    story: str = Field("", max_length=60_000, description="Plain text or simple HTML (sanitised); 5,000 characters of text at most")


class TextIn(Strict):
    body: str = Field(..., max_length=60_000, description="Plain text or simple HTML (sanitised)")


class FollowIn(Strict):
    source: str = Field(..., max_length=24, description='"u:<member id>", "o:<organisation id>" or "c:<circle id>"')


class BlockIn(Strict):
    member: StrictInt = Field(..., ge=1, le=2**62)


def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def team_out(team, request) -> dict:
    figures = selectors.team_figures(team)
    return {
        "slug": team.slug,
        "name": team.name,
        "project": team.project.slug,
        "captain": team.captain.public_name,
        "goal": team.goal,
        "raised": figures.raised,
        "currency": team.currency,
        "donors": figures.donors,
        "members": figures.members,
        "percent": figures.percent,
        "story": team.story,
        "url": request.build_absolute_uri(reverse("community:team", args=[team.slug])),
        "donate_url": request.build_absolute_uri(reverse("giving:donate", args=[team.project.slug]) + f"?team={team.slug}"),
        "created_at": _time(team.created_at),
    }


def circle_out(circle, *, members: int | None = None) -> dict:
    return {
        "slug": circle.slug,
        "id": circle.pk,
        "name": circle.name,
        "kind": circle.kind,
        "cause": circle.cause or None,
        "region": circle.region or None,
        "description": circle.description,
        "members": members if members is not None else getattr(circle, "members", 0),
        "source": rules.key(rules.CIRCLE, circle.pk),
    }


def feed_item_out(item) -> dict:
    return {
        "kind": item.kind,
        "source": item.source,
        "actor": item.actor.public_name if item.actor_id else None,
        "title": item.title,
        "excerpt": item.excerpt,
        "url": item.url,
        "project": item.project_id,
        "created_at": _time(item.created_at),
    }


def post_out(post) -> dict:
    return {"id": post.pk, "author": post.author.public_name, "body": post.body, "created_at": _time(post.created_at)}


def notification_out(n) -> dict:
    return {"id": n.pk, "kind": n.kind, "text": n.text, "url": n.url, "created_at": _time(n.created_at),
            "read": n.read_at is not None}
