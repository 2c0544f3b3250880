"""How community content is hidden pending review, restored or removed. The platform's one
reports model (jusha/reports, below community) calls these through the kinds community
registers with it (reporting.py): a member's report hides, staff's decision settles.

    content_hide(kind="circle_post", pk=12, actor=None, reason="report #4")  # on a report
    content_restore(kind="circle_post", pk=12, actor=staff)                  # the report did not hold
    content_remove(kind="circle_post", pk=12, actor=staff)                   # it did
    content_summary(kind="circle_post", pk=12)                               # for the staff queue

Kinds: "team" (its name and story), "team_update", "circle_post", "comment". Each call
checks community.states.CONTENT, writes an audit row, and hides or shows the feed item the
content left, in one transaction. `actor=None` is the platform itself (a report arrived).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jusha.community.models import CirclePost, Comment, FeedItem, Team, TeamUpdate, Visibility
from jusha.community.states import CONTENT
from jusha.core.audit import audit_record
from jusha.core.errors import NotFound
from jusha.core.richtext import plain_text
from jusha.core.statemachine import SYSTEM

KINDS = {"team": Team, "team_update": TeamUpdate, "circle_post": CirclePost, "comment": Comment}


def _load(kind: str, pk) -> object:
    model = KINDS.get(kind)
    found = model.objects.select_for_update().filter(pk=pk).first() if model else None
    if found is None:
        raise NotFound(_("There is no such content."), code="not_found")
    return found


def _move(kind: str, pk, target: str, *, actor, reason: str):
    content = _load(kind, pk)
    roles = {"staff"} if getattr(actor, "is_staff", False) else set()
    if actor is None:
        roles.add(SYSTEM)
    CONTENT.check(content.visibility, target, roles)
    content.visibility = target
    content.save(update_fields=["visibility"])
    FeedItem.objects.filter(ref=f"{kind}:{content.pk}").update(visibility=target)
    audit_record(actor=actor, action=f"community.{kind}.{target}", target=content, data={"reason": reason[:200]})
    return content


@transaction.atomic
def content_hide(*, kind: str, pk, actor=None, reason: str = ""):
    """Hidden pending review: gone from every page and feed but its author's own view of it."""
    return _move(kind, pk, Visibility.HIDDEN, actor=actor, reason=reason)


@transaction.atomic
def content_restore(*, kind: str, pk, actor, reason: str = ""):
    return _move(kind, pk, Visibility.VISIBLE, actor=actor, reason=reason)


@transaction.atomic
def content_remove(*, kind: str, pk, actor, reason: str = ""):
    return _move(kind, pk, Visibility.REMOVED, actor=actor, reason=reason)


@transaction.atomic
def visibility_of(kind: str, pk) -> str:
    """The content's visibility now, read under a row lock (a report and a decision arriving
    together move it once)."""
    return _load(kind, pk).visibility


def content_summary(*, kind: str, pk) -> dict:
    """What a reviewer needs to see: the text, its author, where it is, its visibility."""
    model = KINDS.get(kind)
    content = model.objects.filter(pk=pk).first() if model else None
    if content is None:
        raise NotFound(_("There is no such content."), code="not_found")
    if kind == "team":
        text, author, url = f"{content.name}\n{plain_text(content.story)}", content.captain, reverse("community:team", args=[content.slug])
    elif kind == "team_update":
        text, author, url = plain_text(content.body), content.author, reverse("community:team", args=[content.team.slug])
    elif kind == "circle_post":
        text, author, url = plain_text(content.body), content.author, reverse("community:circle", args=[content.circle.slug])
    else:
        text, author, url = content.body, content.author, reverse("community:circle", args=[content.post.circle.slug])
    return {"kind": kind, "id": content.pk, "text": text, "author": author, "url": url, "visibility": content.visibility}
