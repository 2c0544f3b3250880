"""Loading community things on someone's behalf, or refusing. Views never filter by hand.
Hidden content (reported, pending review) exists only for its author and staff."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from jusha.community.models import Circle, CirclePost, Comment, Gathering, Team, TeamUpdate, Visibility
from jusha.core.errors import NotFound
from jusha.projects.models import Project
from jusha.projects.permissions import access_project
from jusha.projects.selectors import is_public


def _sees_hidden(user, author_id) -> bool:
    return bool(getattr(user, "is_staff", False) or (getattr(user, "pk", None) and user.pk == author_id))


def access_team(*, slug: str, user=None) -> Team:
    team = Team.objects.select_related("project__organisation", "captain").filter(slug=str(slug)[:64]).first()
    if team is None or (team.visibility != Visibility.VISIBLE and not _sees_hidden(user, team.captain_id)):
        raise NotFound(_("There is no such team."))
    if not is_public(team.project):
        raise NotFound(_("There is no such team."))
    return team


def access_team_project(*, slug: str, user) -> Project:
    """A public project to open a team for (whether it takes gifts is the service's to say: 409)."""
    project = access_project(user=user, slug=slug)
    if not is_public(project):
        raise NotFound(_("There is no such project."))
    return project


def access_circle(*, slug: str) -> Circle:
    circle = Circle.objects.filter(slug=str(slug)[:64]).first()
    if circle is None:
        raise NotFound(_("There is no such circle."))
    return circle


def access_post(*, post_id: int, user=None) -> CirclePost:
    post = CirclePost.objects.select_related("circle").filter(pk=_id(post_id)).first()
    if post is None or (post.visibility != Visibility.VISIBLE and not _sees_hidden(user, post.author_id)):
        raise NotFound(_("There is no such post."))
    return post


def _id(value) -> int:
    """A database id from a path or a report's key; anything else is no id (0)."""
    text = str(value)
    return int(text) if text.isdigit() and 0 < len(text) < 19 else 0


def access_comment(*, comment_id, user=None) -> Comment:
    comment = Comment.objects.select_related("post__circle").filter(pk=_id(comment_id)).first()
    if comment is None or not (
        comment.visibility == Visibility.VISIBLE and comment.post.visibility == Visibility.VISIBLE
        or _sees_hidden(user, comment.author_id)
    ):
        raise NotFound(_("There is no such comment."))
    return comment


def access_team_update(*, update_id, user=None) -> TeamUpdate:
    update = TeamUpdate.objects.select_related("team").filter(pk=_id(update_id)).first()
    if update is None or not (
        update.visibility == Visibility.VISIBLE and update.team.visibility == Visibility.VISIBLE
        or _sees_hidden(user, update.author_id)
    ):
        raise NotFound(_("There is no such update."))
    return update


def access_gathering(*, gathering_id: int) -> Gathering:
    gathering = Gathering.objects.select_related("circle", "organiser").filter(pk=gathering_id).first()
    if gathering is None:
        raise NotFound(_("There is no such gathering."))
    return gathering


def access_person(*, person_id: int):
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise NotFound(_("There is no such member."))
    return person
