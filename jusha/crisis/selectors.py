"""Reads of the crisis queue."""

from django.contrib.auth import get_user_model
from django.db.models import Count

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.crisis import crypto
from jusha.crisis.models import Case, Post, Responder, Source


def queue(*, include_closed: bool = False):
    """Open and claimed cases, highest level first, then the most recent post."""
    cases = Case.objects.select_related("claimed_by").annotate(post_count=Count("posts"))
    if not include_closed:
        cases = cases.exclude(status=Case.Status.CLOSED)
    return cases.order_by("-level", "-last_post_at", "-pk")


def case_posts(case: Case, *, with_author: bool):
    posts = list(Post.objects.filter(case=case).order_by("-posted_at"))
    for post in posts:
        post.url = crypto.decrypt(post.url_enc) if with_author and post.url_enc else ""
        post.p_percent = round(post.p_high * 100)
    return posts


def case_author(case: Case) -> str:
    return crypto.decrypt(case.author_enc) if case.author_enc else ""


def responder_of(user) -> Responder:
    return Responder.objects.get(user=user)


def sources():
    return Source.objects.order_by("name")


def team():
    """Supervisors first, then responders on duty, then the rest; with the cases each holds."""
    members = list(Responder.objects.select_related("user", "granted_by").order_by("-role", "-on_duty", "user__email"))
    held = dict(Case.objects.filter(status=Case.Status.CLAIMED).values_list("claimed_by").annotate(n=Count("pk")).order_by())
    for member in members:
        member.holding = held.get(member.user_id, 0)
    return members


def member_by_email(email: str):
    """An active member with this e-mail address (case-insensitive), or None."""
    email = (email or "").strip()
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def team_member(user_id: int):
    """The member behind a crisis-team row, or NotFound."""
    responder = Responder.objects.select_related("user").filter(user_id=user_id).first()
    if responder is None:
        raise NotFound(_("There is no such crisis team member."), code="crisis_member_unknown")
    return responder.user
