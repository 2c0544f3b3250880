from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.errors import DomainError, Forbidden, NotFound
from jusha.core.pages import domain_errors
from jusha.matching import selectors, services
from jusha.matching.forms import DecisionForm
from jusha.matching.permissions import access_match_for_review, access_pool, access_review_queue, review_actions
from jusha.matching.schemas import DRAW


@require_safe
@domain_errors
def pool_detail(request, pk):
    """A pool in the open: rules, figures, the seed's hash (and the seed once matching is
    over) and its matches, so anyone can recompute every draw."""
    pool = selectors.with_pool_figures([access_pool(user=request.user, pk=pk)])[0]
    return render(request, "matching/pool.html", {
        "pool": pool,
        "figures": pool.figures,
        "seed_revealed": pool.seed_revealed,
        "draw": DRAW,
        "page": Paginator(selectors.pool_matches(pool, newest_first=True), 50).get_page(request.GET.get("page")),
    })


@login_required
@require_safe
@domain_errors
def review_queue(request):
    """Held matches with their evidence, oldest first, and the held/released/rejected totals."""
    page = Paginator(access_review_queue(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "matching/review.html", {
        "page": page, "totals": selectors.review_totals(), "form": DecisionForm(),
        "actions": review_actions(request.user),
    })


@login_required
@require_POST
@domain_errors
def review_decide(request, donation_id):
    if not request.user.is_staff:
        raise Forbidden(_("Only platform staff can review held matches."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose release or reject."))
        return redirect("matching:review")
    match = access_match_for_review(user=request.user, donation_id=donation_id)
    decide = services.match_release if form.cleaned_data["decision"] == "release" else services.match_reject
    try:
        decide(match=match, actor=request.user, note=form.cleaned_data["note"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Match released to the project.") if form.cleaned_data["decision"] == "release"
                         else _("Match rejected: its reservation is back in the pool."))
    return redirect("matching:review")
