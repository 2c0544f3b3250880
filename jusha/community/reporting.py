"""Community's content in the platform's one reports model (jusha/reports, below community):
team pages, team updates, circle posts and comments are reportable kinds, registered in
CommunityConfig.ready(). Reports holds the policy (a member's report hides the content
pending review; staff's decision removes it or shows it again); moderation.py does the
hiding, through community's content transition table.

    /reports/new/?kind=circle_post&key=12           the report page
    POST /api/v1/reports {"kind": "comment", "key": "7", "reason": "abuse"}
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.community import moderation, notifications, permissions
from jusha.community.models import CirclePost, Comment, Notification, Team, TeamUpdate, Visibility
from jusha.core.richtext import plain_text
from jusha.reports import registry

REASONS = ("spam", "abuse", "false_information", "other")
NOTICE = _(
    "Platform staff read every report. Until they decide, what you report is hidden from everyone but its "
    "author; if they uphold the report it is removed, otherwise it is shown again."
)


def _text(kind: str, content) -> str:
    if kind == "team":
        return f"{content.name} · {plain_text(content.story)}"
    return plain_text(content.body)


def _describe(kind: str):
    def describe(content) -> str:
        author = content.captain if kind == "team" else content.author
        return f"{author.public_name}: {_text(kind, content)}"[:200]

    return describe


def _url(kind: str):
    def url(content) -> str:
        if kind == "team":
            return reverse("community:team", args=[content.slug])
        if kind == "team_update":
            return reverse("community:team", args=[content.team.slug]) + f"#update-{content.pk}"
        if kind == "circle_post":
            return reverse("community:circle", args=[content.circle.slug]) + f"#post-{content.pk}"
        return reverse("community:circle", args=[content.post.circle.slug]) + f"#post-{content.post_id}"

    return url


def _author_id(kind: str, content) -> int:
    return content.captain_id if kind == "team" else content.author_id


def _hide(kind: str):
    def hide(content, actor, reason) -> int:
        """Hidden pending review, once: already hidden (another report) or removed, nothing moves."""
        if moderation.visibility_of(kind, content.pk) != Visibility.VISIBLE:
            return 0
        moderation.content_hide(kind=kind, pk=content.pk, actor=actor, reason=str(reason))
        return 1

    return hide


def _restore(kind: str):
    def restore(content, actor, reason) -> int:
        if moderation.visibility_of(kind, content.pk) != Visibility.HIDDEN:
            return 0
        moderation.content_restore(kind=kind, pk=content.pk, actor=actor, reason=str(reason))
        return 1

    return restore


def _remove(kind: str):
    def remove(content, actor, reason) -> int:
        if moderation.visibility_of(kind, content.pk) == Visibility.REMOVED:
            return 0
        moderation.content_remove(kind=kind, pk=content.pk, actor=actor, reason=str(reason))
        _tell_author(kind, content, str(reason))
        return 1

    return remove


def _tell_author(kind: str, content, reason: str) -> None:
    """The author hears, in plain words, that staff removed what they wrote after a report
    and why (staff's outcome, as the public reads it), never who reported it: an in-app
    notification and the daily digest e-mail, like everything community tells members."""
    excerpt = " ".join(_text(kind, content).split())
    if len(excerpt) > 60:
        excerpt = excerpt[:59] + "…"
    reason = " ".join((reason or "").split())[:160]
    if reason:
        text = _("Platform staff removed your %(what)s “%(excerpt)s” after a report. Their reason: %(reason)s") % {
            "what": LABELS[kind], "excerpt": excerpt, "reason": reason}
    else:
        text = _("Platform staff removed your %(what)s “%(excerpt)s” after a report.") % {
            "what": LABELS[kind], "excerpt": excerpt}
    # Where it was (the circle or the team's project page); a removed team page has none.
    if kind == "team":
        url = reverse("projects:detail", args=[content.project.slug])
    elif kind == "team_update":
        url = reverse("community:team", args=[content.team.slug])
    elif kind == "circle_post":
        url = reverse("community:circle", args=[content.circle.slug])
    else:
        url = reverse("community:circle", args=[content.post.circle.slug])
    notifications.notify(users=[_author_id(kind, content)], kind=Notification.Kind.CONTENT_REMOVED, text=text, url=url)


_LOOKUP = {
    "team": lambda user, key: permissions.access_team(slug=key, user=user),
    "team_update": lambda user, key: permissions.access_team_update(update_id=key, user=user),
    "circle_post": lambda user, key: permissions.access_post(post_id=key, user=user),
    "comment": lambda user, key: permissions.access_comment(comment_id=key, user=user),
}
_GET = {
    "team": lambda pk: Team.objects.select_related("captain").filter(pk=pk).first(),
    "team_update": lambda pk: TeamUpdate.objects.select_related("team", "author").filter(pk=pk).first(),
    "circle_post": lambda pk: CirclePost.objects.select_related("circle", "author").filter(pk=pk).first(),
    "comment": lambda pk: Comment.objects.select_related("post__circle", "author").filter(pk=pk).first(),
}
LABELS = {
    "team": _("team page"), "team_update": _("team update"), "circle_post": _("circle post"), "comment": _("comment"),
}


# Made once (registering is idempotent only for the same Kind: ready() may run twice).
KINDS = tuple(
    registry.Kind(
        name=kind, label=LABELS[kind], lookup=_LOOKUP[kind], get=_GET[kind], describe=_describe(kind),
        url=_url(kind), is_own=lambda content, user, kind=kind: _author_id(kind, content) == user.pk,
        hide=_hide(kind), restore=_restore(kind), remove=_remove(kind), reasons=REASONS,
        held_pending_review=True, notice=NOTICE,
    )
    for kind in ("team", "team_update", "circle_post", "comment")
)


def register_kinds() -> None:
    for kind in KINDS:
        registry.register(kind)
