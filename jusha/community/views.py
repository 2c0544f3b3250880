"""Community pages: teams (一起捐), circles and gatherings, people, the feed, notifications.
Usable without JavaScript: every action is a form that posts and redirects."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jusha.community import circle_services, forms, notifications, permissions, posters, rules, selectors, services
from jusha.community.models import Notification, NotificationOptOut
from jusha.core import pages
from jusha.core.errors import DomainError, RateLimited
from jusha.core.money import Money
from jusha.core.ratelimit import rate_limit
from jusha.projects.selectors import project_cards
from jusha.social import permissions as social_permissions
from jusha.social import rules as social_rules
from jusha.social import selectors as social_selectors
from jusha.social import services as social_services
from jusha.social.visitors import remember_ref, remembered_ref, visitor_of


def guarded(view):
    """404 and 403 as pages; the other domain errors (409, 413, 422, 429) as a message on
    the page the action came from."""
    inner = pages.domain_errors(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return inner(request, *args, **kwargs)
        except DomainError as exc:
            if request.method != "POST":
                raise
            messages.error(request, str(exc.detail))
            response = redirect(_back(request))
            if isinstance(exc, RateLimited):
                response["Retry-After"] = str(exc.retry_after)
            return response

    return wrapper


def _back(request, default: str = "/community/") -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or default
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


# --- teams -------------------------------------------------------------------------------

@require_safe
@guarded
def team(request, slug):
    """A team's page, made to be shared: opened through a member's link (`?s=<code>`), it
    counts the open and remembers the link for this browser's gift, as a share link does."""
    found = permissions.access_team(slug=slug, user=request.user)
    project = project_cards([found.project])[0]
    code = request.GET.get("s", "")[:16]
    if social_rules.is_code(code):
        try:
            link = social_permissions.access_link(code=code)
        except DomainError:
            link = None
        if link is not None and link.project_id == project.pk:
            visitor = visitor_of(request)
            social_services.share_open_record(link=link, visitor=visitor)
            if not social_rules.looks_like_bot(visitor.user_agent) and not visitor.owns(link):
                remember_ref(request, link)
    figures = selectors.team_figures(found)
    member = selectors.is_team_member(found, request.user)
    link = social_selectors.link_of(project, visitor_of(request)) if member else None
    share_url = request.build_absolute_uri(reverse("community:team", args=[found.slug]))
    if link is not None:
        share_url += f"?s={link.code}"
    return render(request, "community/team.html", {
        "team": found, "project": project, "figures": figures, "member": member,
        "captain": request.user.is_authenticated and request.user.pk == found.captain_id,
        "members": selectors.team_members(found, limit=24), "board": selectors.member_board(found),
        "updates": selectors.team_updates(found, viewer=request.user), "share_url": share_url, "link": link,
        "raised": Money(figures.raised, found.currency), "goal": Money(found.goal, found.currency),
        "update_form": forms.TextForm(), "teams": selectors.project_teams(project, limit=5),
        "follows_captain": selectors.follows(request.user, rules.key(rules.PERSON, found.captain_id)),
        "captain_key": rules.key(rules.PERSON, found.captain_id),
    })


@login_required
@require_http_methods(["GET", "POST"])
@guarded
def team_new(request, slug):
    project = permissions.access_team_project(slug=slug, user=request.user)
    form = forms.TeamForm(request.POST or None, request.FILES or None, currency=project.currency)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.team_create(project=project, actor=request.user, name=form.cleaned_data["name"],
                                           goal=form.cleaned_data["goal"].amount, story=form.cleaned_data["story"],
                                           cover=form.cleaned_data.get("cover"))
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            messages.success(request, _("Your team is open. Share its page with friends."))
            return redirect("community:team", created.slug)
    return render(request, "community/team_new.html", {"project": project, "form": form},
                  status=422 if request.method == "POST" else 200)


@require_safe
@guarded
def project_teams(request, slug):
    project = permissions.access_team_project(slug=slug, user=request.user)
    return render(request, "community/project_teams.html", {
        "project": project, "teams": selectors.project_teams(project, limit=50)})


@login_required
@require_POST
@guarded
def team_join(request, slug):
    found = permissions.access_team(slug=slug, user=request.user)
    services.team_join(team=found, actor=request.user)
    messages.success(request, _("You joined the team."))
    return redirect("community:team", found.slug)


@login_required
@require_POST
@guarded
def team_leave(request, slug):
    found = permissions.access_team(slug=slug, user=request.user)
    services.team_leave(team=found, actor=request.user)
    messages.success(request, _("You left the team."))
    return redirect("community:team", found.slug)


@login_required
@require_POST
@guarded
def team_update(request, slug):
    found = permissions.access_team(slug=slug, user=request.user)
    form = forms.TextForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what has happened."))
    else:
        services.team_update_post(team=found, body=form.cleaned_data["body"], actor=request.user)
        messages.success(request, _("Your update is posted; the team's members are told."))
    return redirect("community:team", found.slug)


@login_required
@require_POST
@guarded
def team_share(request, slug):
    """A team member's own link to the team's page: gifts through it are attributed to them
    as share links are (part 1), and count toward the team."""
    found = permissions.access_team(slug=slug, user=request.user)
    if not selectors.is_team_member(found, request.user):
        messages.error(request, _("Join the team to share it with your own link."))
        return redirect("community:team", found.slug)
    visitor = visitor_of(request, as_sharer=True)
    rate_limit("share_link_create", f"user:{request.user.pk}")
    social_services.share_link_for(project=found.project, visitor=visitor, via=remembered_ref(request, found.project))
    return redirect(reverse("community:team", args=[found.slug]) + "#share")


@require_safe
@pages.domain_errors
def team_poster(request, slug):
    """The team's poster (SVG): its name, progress and the QR code of its page (with the
    sharer's link when `?s=` names one)."""
    found = permissions.access_team(slug=slug, user=request.user)
    project = project_cards([found.project])[0]
    url = request.build_absolute_uri(reverse("community:team", args=[found.slug]))
    code = request.GET.get("s", "")[:16]
    if social_rules.is_code(code):
        url += f"?s={code}"
    svg = posters.team_poster_svg(found, project, url)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    response["Cache-Control"] = "public, max-age=300"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="jusha-team-{found.slug}.svg"'
    return response


# --- circles -------------------------------------------------------------------------------

@require_safe
def circle_list(request):
    found = list(selectors.circles())
    mine = set(selectors.following_of(request.user)) if request.user.is_authenticated else set()
    return render(request, "community/circles.html", {
        "causes": [c for c in found if c.kind == "cause"], "regions": [c for c in found if c.kind == "region"],
        "following": mine,
    })


@require_safe
@guarded
def circle(request, slug):
    found = permissions.access_circle(slug=slug)
    page = selectors.circle_page(found, viewer=request.user)
    return render(request, "community/circle.html", {
        "circle": found, **page, "membership": page["role"] is not None, "source": rules.key(rules.CIRCLE, found.pk),
        "post_form": forms.TextForm(), "organiser": page["role"] == "organiser" or request.user.is_staff,
        "raised": Money(page["totals"]["raised"]),
    })


@login_required
@require_POST
@guarded
def circle_join(request, slug):
    found = permissions.access_circle(slug=slug)
    circle_services.circle_join(circle=found, actor=request.user)
    messages.success(request, _("You joined the circle."))
    return redirect("community:circle", found.slug)


@login_required
@require_POST
@guarded
def circle_leave(request, slug):
    found = permissions.access_circle(slug=slug)
    circle_services.circle_leave(circle=found, actor=request.user)
    messages.success(request, _("You left the circle."))
    return redirect("community:circle", found.slug)


@login_required
@require_POST
@guarded
def circle_post(request, slug):
    found = permissions.access_circle(slug=slug)
    form = forms.TextForm(request.POST)
    if form.is_valid():
        post = circle_services.post_create(circle=found, body=form.cleaned_data["body"], actor=request.user)
        return redirect(reverse("community:circle", args=[found.slug]) + f"#post-{post.pk}")
    messages.error(request, _("Write something first."))
    return redirect("community:circle", found.slug)


@login_required
@require_POST
@guarded
def comment(request, post_id):
    post = permissions.access_post(post_id=post_id, user=request.user)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        circle_services.comment_create(post=post, body=form.cleaned_data["body"], actor=request.user)
    else:
        messages.error(request, _("A comment is at most %(n)d characters.") % {"n": rules.COMMENT_MAX})
    return redirect(reverse("community:circle", args=[post.circle.slug]) + f"#post-{post.pk}")


@login_required
@require_http_methods(["GET", "POST"])
@guarded
def gathering_new(request, slug):
    found = permissions.access_circle(slug=slug)
    form = forms.GatheringForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            gathering = circle_services.gathering_create(circle=found, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(None, str(exc.detail))
        else:
            messages.success(request, _("The gathering is announced; the circle's members are told."))
            return redirect("community:gathering", gathering.pk)
    return render(request, "community/gathering_new.html", {"circle": found, "form": form},
                  status=422 if request.method == "POST" else 200)


@require_safe
@guarded
def gathering(request, gathering_id):
    found = permissions.access_gathering(gathering_id=gathering_id)
    signups = selectors.gathering_signups(found)
    organiser = request.user.is_authenticated and (
        request.user.is_staff or selectors.circle_membership(found.circle, request.user) is not None
        and selectors.circle_membership(found.circle, request.user).role == "organiser")
    return render(request, "community/gathering.html", {
        "gathering": found, "signed": len(signups), "signups": signups if organiser else None,
        "mine": selectors.is_signed_up(found, request.user), "organiser": organiser,
        "full": len(signups) >= found.capacity,
    })


@login_required
@require_POST
@guarded
def gathering_signup(request, gathering_id):
    found = permissions.access_gathering(gathering_id=gathering_id)
    if request.POST.get("cancel"):
        circle_services.gathering_signup_cancel(gathering=found, actor=request.user)
        messages.success(request, _("You are no longer signed up."))
    else:
        circle_services.gathering_signup(gathering=found, actor=request.user)
        messages.success(request, _("You are signed up. See you there!"))
    return redirect("community:gathering", found.pk)


@login_required
@require_POST
@guarded
def gathering_cancel(request, gathering_id):
    found = permissions.access_gathering(gathering_id=gathering_id)
    circle_services.gathering_cancel(gathering=found, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The gathering is cancelled."))
    return redirect("community:gathering", found.pk)


# --- people, following, the feed --------------------------------------------------------

@require_safe
@guarded
def person(request, person_id):
    found = permissions.access_person(person_id=person_id)
    source = rules.key(rules.PERSON, found.pk)
    return render(request, "community/person.html", {
        "person": found, "source": source, "following": selectors.follows(request.user, source),
        "followers": selectors.followers_count(source), "activity": selectors.person_activity(found, viewer=request.user),
        "teams": selectors.teams_of(found), "blocked": selectors.has_blocked(request.user, found.pk),
        "itself": request.user.is_authenticated and request.user.pk == found.pk,
    })


@login_required
@require_POST
@guarded
def follow(request):
    source = request.POST.get("source", "")[:24]
    if request.POST.get("stop"):
        services.follow_stop(actor=request.user, source=source)
        messages.success(request, _("You no longer follow this."))
    else:
        services.follow_start(actor=request.user, source=source)
        messages.success(request, _("Followed: what happens there now shows in your feed."))
    return redirect(_back(request))


@login_required
@require_POST
@guarded
def block(request, person_id):
    found = permissions.access_person(person_id=person_id)
    if request.POST.get("stop"):
        services.member_unblock(actor=request.user, blocked_id=found.pk)
        messages.success(request, _("Unblocked."))
    else:
        services.member_block(actor=request.user, blocked_id=found.pk)
        messages.success(request, _("Blocked: you will no longer see what they write."))
    return redirect("community:person", found.pk)


@login_required
@require_safe
def feed(request):
    sources = selectors.feed_sources(request.user)
    return render(request, "community/feed.html", {
        "items": selectors.feed_items(request.user, sources=sources),
        "supported": selectors.friends_supported(request.user, sources=sources),
        "teams": selectors.teams_of(request.user), "friends": selectors.friend_count(request.user, sources=sources),
    })


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        notifications.notifications_mark_read(user=request.user)
        return redirect("community:notifications")
    items, count = selectors.notifications_for(request.user, limit=50)
    return render(request, "community/notifications.html", {"items": items, "count": count})


@login_required
@require_http_methods(["GET", "POST"])
@guarded
def member_settings(request):
    current = selectors.member_settings(request.user)
    muted = notifications.opt_outs_of(request.user)
    if request.method == "POST":
        chosen = {(kind, channel) for kind in Notification.Kind.values for channel in NotificationOptOut.Channel.values
                  if not request.POST.get(f"{kind}:{channel}")}
        services.settings_save(actor=request.user, show_gifts_to_friends=bool(request.POST.get("show_gifts_to_friends")),
                               opt_outs=chosen)
        messages.success(request, _("Saved."))
        return redirect("community:settings")
    rows = [{"kind": kind, "label": label,
             "channels": [(channel, channel_label, (kind, channel) not in muted)
                          for channel, channel_label in NotificationOptOut.Channel.choices]}
            for kind, label in Notification.Kind.choices]
    return render(request, "community/settings.html", {
        "current": current, "rows": rows, "blocked": selectors.blocked_members(request.user)})
