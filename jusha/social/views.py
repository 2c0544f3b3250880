from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jusha.core import pages
from jusha.core.csp import CSP, csp_override
from jusha.core.errors import DomainError, RateLimited
from jusha.core.ratelimit import rate_limit
from jusha.giving.views import SESSION_TOKENS
from jusha.projects.selectors import project_cards
from jusha.social import charts, permissions, posters, rules, schemas, selectors, services
from jusha.social.visitors import remember_ref, remembered_ref, visitor_of

POSTER_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def domain_errors(view):
    """Services speak in domain errors; pages answer 404, 403, 409 or 429."""

    guarded = pages.domain_errors(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return guarded(request, *args, **kwargs)
        except RateLimited as exc:
            response = render(request, "social/refused.html", {"reason": exc.detail}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except DomainError as exc:  # 409 and the like
            return render(request, "social/refused.html", {"reason": exc.detail}, status=exc.status)

    return wrapper


@require_safe
@never_cache
@pages.domain_errors
def open_link(request, code):
    """A share link opened: count the open (once a visitor a day; not bots, not the
    sharer), remember it for this browser's gift, and go to the project."""
    link = permissions.access_link(code=code)
    visitor = visitor_of(request)
    services.share_open_record(link=link, visitor=visitor)
    if not rules.looks_like_bot(visitor.user_agent) and not visitor.owns(link):
        remember_ref(request, link)
    return redirect("projects:detail", link.project.slug)


# The share page shows the poster its script draws on a canvas as a data: image, so that a
# phone can long-press to save or send it; data: images on this page only.
SHARE_CSP = {**settings.SECURE_CSP, "img-src": [CSP.SELF, "data:"]}


@require_http_methods(["GET", "POST"])
@csp_override(SHARE_CSP)
@domain_errors
def share(request, slug):
    """The visitor's share link for a project (a guest's is bound to this browser), with its
    poster. GET shows it if made; POST makes it."""
    project = permissions.access_shared_project(user=request.user, slug=slug)
    if request.method == "POST":
        visitor = visitor_of(request, as_sharer=True)
        rate_limit("share_link_create", f"user:{request.user.pk}" if visitor.member else visitor.rate_key)
        services.share_link_for(project=project, visitor=visitor, via=remembered_ref(request, project))
        return redirect("social:share", project.slug)
    project_cards([project])
    link = selectors.link_of(project, visitor_of(request))
    return render(request, "social/share.html", {
        "project": project, "link": link, "mine": _mine(link),
        "url": request.build_absolute_uri(reverse("social:open", args=[link.code])) if link else "",
        "png": bool(settings.JUSHA_POSTER_FONT),
        "canvas": posters.poster_canvas(project, request.build_absolute_uri(reverse("social:open", args=[link.code]))) if link else None,
    })


def _link_for_poster(code):
    link = permissions.access_link(code=code)
    project_cards([link.project])
    return link


@require_safe
@pages.domain_errors
def poster_svg(request, code):
    link = _link_for_poster(code)
    url = request.build_absolute_uri(reverse("social:open", args=[link.code]))
    response = HttpResponse(posters.poster_svg(link.project, url), content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = POSTER_CSP
    response["Cache-Control"] = "public, max-age=300"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="jusha-{link.code}.svg"'
    return response


@require_safe
@pages.domain_errors
def poster_png(request, code):
    link = _link_for_poster(code)
    url = request.build_absolute_uri(reverse("social:open", args=[link.code]))
    data = posters.poster_png(link.project, url)
    if data is None:
        return HttpResponse(
            _("PNG posters are not available on this site: no CJK font is configured (JUSHA_POSTER_FONT). "
              "Use the SVG poster."), status=404, content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
@domain_errors
def card(request, slug):
    """The preview image chat apps show beside a project's link (og:image)."""
    project = permissions.access_shared_project(user=request.user, slug=slug)
    project_cards([project])
    response = HttpResponse(posters.card_png(project), content_type="image/png")
    response["Cache-Control"] = "public, max-age=600"
    return response


def _mine(link):
    """A link's figures as its owner sees them."""
    return schemas.figures_out(link, selectors.link_figures(link)) if link else None


def _tree(project, focus=None):
    return charts.tree_layout(selectors.relay_tree_nodes(project, focus=focus), mine=focus.pk if focus else None)


def _depth_charts(public: dict):
    """Links and gifts per generation, as bars (a hidden count is drawn as "fewer than 3")."""

    def gifts(row):
        count = row["donations"]
        return (count, str(count)) if isinstance(count, int) else (0, _("fewer than 3") if count else _("hidden"))

    links = charts.bar_chart([(str(row["depth"]), row["links"], str(row["links"])) for row in public["depths"]])
    return links, charts.bar_chart([(str(row["depth"]), *gifts(row)) for row in public["depths"]])


@require_safe
@domain_errors
def relay(request, slug):
    """A project's relay: the tree as it grows, lit badges, the figures in aggregate, and
    the visitor's own link with its figures if they have one."""
    project = permissions.access_shared_project(user=request.user, slug=slug)
    project_cards([project])
    link = selectors.link_of(project, visitor_of(request))
    public = selectors.public_relay(selectors.relay_summary(project))
    links_chart, gifts_chart = _depth_charts(public)
    return render(request, "social/relay.html", {
        "project": project, "relay": public, "tree": _tree(project, link), "badges": selectors.relay_badges(project),
        "link": link, "mine": _mine(link),
        "links_chart": links_chart, "gifts_chart": gifts_chart,
    })


@require_safe
@domain_errors
def dashboard(request, slug):
    """The organisation's view of a project's sharing: aggregates only (no link's figures)."""
    project = permissions.access_sharing_figures(user=request.user, slug=slug)
    project_cards([project])
    public = selectors.public_relay(selectors.relay_summary(project))
    links_chart, gifts_chart = _depth_charts(public)
    return render(request, "social/dashboard.html", {
        "project": project, "relay": public, "tree": _tree(project),
        "links_chart": links_chart, "gifts_chart": gifts_chart,
    })


@login_required
@require_safe
def me(request):
    """The member's own influence: people reached and gifts set in motion, per link."""
    influence = selectors.member_influence(request.user)
    chart = charts.bar_chart(
        [(link.project.title[:10], link.figures.downstream_donations, str(link.figures.downstream_donations))
         for link in influence.links[:20]], label_width=140,
    )
    rows = [(link, schemas.figures_out(link, link.figures), link.reached) for link in influence.links]
    inspired_amount = influence.inspired_amount_shown
    return render(request, "social/me.html", {
        "influence": influence, "rows": rows, "inspired_amount": inspired_amount, "chart": chart,
    })


@require_POST
@domain_errors
def light(request, donation_id):
    """点亮爱心接力 from the receipt page: the donor's own link, placed under the link
    their gift came through."""
    donation = permissions.access_own_gift(
        user=request.user, tokens=request.session.get(SESSION_TOKENS, {}), donation_id=donation_id
    )
    name = ""
    if request.POST.get("show_name") == "on":  # shown only if they chose to be
        name = request.POST.get("shown_name") or getattr(request.user, "display_name", "")
    link = services.relay_light(donation=donation, visitor=visitor_of(request, as_sharer=True), shown_name=name)
    messages.success(request, _("You lit the relay. Pass your link on: every gift made through it joins your relay."))
    return redirect("social:share", link.project.slug)


@login_required
@require_POST
@domain_errors
def report(request, code):
    link = permissions.access_link(code=code, public_only=False)
    services.share_link_report(link=link, reporter=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("Thank you. Staff will look at this link."))
    return redirect("social:relay", link.project.slug)
