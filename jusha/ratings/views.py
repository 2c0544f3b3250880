"""The rating pages: an organisation's rating (grade, breakdown, history, what would raise
it), the method in plain words, staff's recompute, and the donor's one question."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.errors import DomainError
from jusha.core.pages import domain_errors
from jusha.giving.views import SESSION_TOKENS
from jusha.ratings import charts, method, permissions, rules, selectors, services


def _rows(snapshot) -> list[dict]:
    rows = []
    for item in snapshot.indicators if snapshot else []:
        rows.append({**item, "name": method.name(item["key"]), "shown": method.shown_value(item),
                     "explanation": method.explanation(item["key"])})
    return rows


def rating_context(organisation, *, brief: bool = False) -> dict:
    snapshot = selectors.latest_snapshot(organisation)
    context = {"organisation": organisation, "snapshot": snapshot, "rows": _rows(snapshot),
               "grade_css": rules.grade_css(snapshot.grade) if snapshot and snapshot.grade else "",
               "min_days": rules.MIN_DAYS}
    if brief:
        return context
    history = [(str(s.day), s.score) for s in selectors.history(organisation) if s.score is not None]
    context.update({
        "history": history,
        "chart": charts.history_svg(history[-90:], label=_("Score over time")),
        "gains": [{"name": method.name(key), "points": points, "tip": method.TEXTS[key]["tip"]}
                  for key, points in (snapshot.gains if snapshot else [])],
    })
    return context


@require_safe
@domain_errors
def organisation_rating(request, slug):
    organisation = permissions.access_rated_organisation(user=request.user, slug=slug)
    context = rating_context(organisation)
    context["is_member"] = bool(organisation.viewer_roles - {"staff"})
    context["is_staff"] = "staff" in organisation.viewer_roles
    return render(request, "ratings/organisation.html", context)


@login_required
@require_POST
@domain_errors
def recompute(request, slug):
    organisation = permissions.access_rated_organisation(user=request.user, slug=slug)
    try:
        services.rating_compute(organisation=organisation, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The rating was computed again from the record as it is now."))
    return redirect("ratings:organisation", slug=slug)


@require_safe
def method_page(request):
    rows = [{"key": key, "weight": rules.WEIGHTS[key], **{k: str(v) for k, v in text.items()}}
            for key, text in method.TEXTS.items()]
    return render(request, "ratings/method.html", {
        "rows": rows, "bands": rules.BANDS, "min_days": rules.MIN_DAYS, "total_weight": sum(rules.WEIGHTS.values()),
    })


@require_POST
@domain_errors
def feedback(request, donation_id):
    token = request.session.get(SESSION_TOKENS, {}).get(str(donation_id), "")
    donation, allowed = permissions.access_feedback_donation(donation_id=donation_id, user=request.user, access_token=token)
    try:
        services.feedback_give(donation=donation, stars=request.POST.get("stars"), allowed=allowed)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Thank you: your answer counts in the organisation's rating."))
    return redirect("giving:receipt", donation_id=donation.pk)
