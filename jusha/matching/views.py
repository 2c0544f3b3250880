from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.errors import DomainError, Forbidden, NotFound
from jusha.matching import selectors, services
from jusha.matching.forms import DecisionForm
from jusha.matching.permissions import access_match_for_review, access_pool
from jusha.matching.schemas import DRAW


@require_safe
def pool_detail(request, pk):
    """A pool in the open: rules, figures, the seed's hash (and the seed once matching is
    over) and its matches, so anyone can recompute every draw."""
    try:
        pool = access_pool(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    matches = pool.matches.select_related("donation", "project").order_by("-created_at", "-id")
    return render(request, "matching/pool.html", {
        "pool": pool,
        "figures": selectors.pool_figures(pool),
        "seed_revealed": selectors.seed_revealed(pool),
        "draw": DRAW,
        "page": Paginator(matches, 50).get_page(request.GET.get("page")),
    })


def _staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only platform staff can review held matches."))


@login_required
@require_safe
def review_queue(request):
    """Held matches with their evidence, oldest first, and the held/released/rejected totals."""
    _staff(request)
    page = Paginator(selectors.review_queue(), 30).get_page(request.GET.get("page"))
    return render(request, "matching/review.html", {
        "page": page, "totals": selectors.review_totals(), "form": DecisionForm(),
    })


@login_required
@require_POST
def review_decide(request, donation_id):
    _staff(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose release or reject."))
        return redirect("matching:review")
    try:
        match = access_match_for_review(user=request.user, donation_id=donation_id)
        decide = services.match_release if form.cleaned_data["decision"] == "release" else services.match_reject
        decide(match=match, actor=request.user, note=form.cleaned_data["note"])
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Match released to the project.") if form.cleaned_data["decision"] == "release"
                         else _("Match rejected: its reservation is back in the pool."))
    return redirect("matching:review")
