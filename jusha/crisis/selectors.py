"""Reads of the crisis queue."""

from django.db.models import Count

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
