
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.campaigns import card, rules, selectors, services
from jusha.campaigns.forms import ApplicationForm, TransitionForm
from jusha.campaigns.permissions import access_application, access_campaign
from jusha.core.errors import DomainError
from jusha.core.pages import domain_errors


def _live(campaign) -> dict:
    selectors.with_figures([campaign])
    return {"campaign": campaign, "leaderboard": selectors.leaderboard(campaign, limit=10),
            "recent": selectors.ticker(campaign), "pools": selectors.pools_of(campaign, figures=True)}


@require_safe
def campaign_list(request):
    page = Paginator(selectors.public_campaigns(), 20).get_page(request.GET.get("page"))
    return render(request, "campaigns/list.html", {"page": page, "campaigns": selectors.with_figures(page.object_list)})


@require_safe
@domain_errors
def campaign_detail(request, slug):
    campaign = access_campaign(user=request.user, slug=slug)
    context = _live(campaign)
    # Absolute, for the card chat apps draw beside a shared link (Open Graph) and the share sheet.
    context["page_url"] = request.build_absolute_uri(reverse("campaigns:detail", args=[campaign.slug]))
    context["card_url"] = request.build_absolute_uri(reverse("campaigns:card", args=[campaign.slug]))
    if request.user.is_authenticated:
        context["mine"] = selectors.applications_of(request.user, campaign)
        can_apply = campaign.phase != rules.CLOSED and bool(selectors.projects_to_apply(request.user, campaign))
        context["can_apply"] = can_apply
        if request.user.is_staff:
            context["waiting"] = selectors.applications_waiting(campaign, request.user)
    return render(request, "campaigns/detail.html", context)


@require_safe
@domain_errors
def campaign_card(request, slug):
    """The preview image chat apps show beside the campaign's link (og:image)."""
    campaign = access_campaign(user=request.user, slug=slug)
    response = HttpResponse(card.card_png(campaign), content_type="image/png")
    response["Cache-Control"] = "public, max-age=600"
    return response


@require_safe
@domain_errors
def campaign_live(request, slug):
    """The live totals, leaderboard and ticker, as the fragment htmx swaps in."""
    campaign = access_campaign(user=request.user, slug=slug)
    response = render(request, "campaigns/_live.html", _live(campaign))
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@domain_errors
def campaign_results(request, slug):
    """After the window: final totals, the whole leaderboard, each pool's figures and seed."""
    campaign = access_campaign(user=request.user, slug=slug)
    context = _live(campaign)
    if campaign.phase != rules.CLOSED:
        messages.info(request, _("The results are published when the campaign ends."))
        return redirect("campaigns:detail", slug=campaign.slug)
    context["leaderboard"] = selectors.leaderboard(campaign)
    return render(request, "campaigns/results.html", context)


@login_required
@domain_errors
def campaign_apply(request, slug):
    campaign = access_campaign(user=request.user, slug=slug)
    projects = selectors.projects_to_apply(request.user, campaign)
    form = ApplicationForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        project = next(p for p in projects if p.slug == form.cleaned_data["project"])
        try:
            services.application_submit(
                campaign=campaign, project=project, actor=request.user, pitch=form.cleaned_data["pitch"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            messages.success(request, _("Your application is sent. Platform staff will review it."))
            return redirect("campaigns:detail", slug=campaign.slug)
    return render(request, "campaigns/apply.html", {"campaign": campaign, "form": form, "projects": projects})


@login_required
@require_POST
@domain_errors
def application_transition(request, slug, pk):
    campaign = access_campaign(user=request.user, slug=slug)
    application = access_application(user=request.user, campaign=campaign, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That change is not possible."))
        return redirect("campaigns:detail", slug=campaign.slug)
    try:
        application = services.application_transition(
            application=application, target=form.cleaned_data["target"], actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("%(project)s: %(status)s.") % {
            "project": application.project.title, "status": application.get_status_display()})
    return redirect("campaigns:detail", slug=campaign.slug)
