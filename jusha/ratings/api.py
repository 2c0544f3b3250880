"""/api/v1/orgs/{slug}/rating: an organisation's credibility rating, with every indicator's
value, weight and formula, and its history."""

from django.urls import reverse
from ninja import Router

from jusha.core.openapi import errors
from jusha.ratings import method, permissions, selectors
from jusha.ratings.schemas import RatingOut

router = Router(tags=["ratings"])


@router.get("/{slug}/rating", response=RatingOut, auth=None, openapi_extra=errors(404),
            summary="An organisation's credibility rating")
def rating(request, slug: str):
    """Computed daily from the organisation's own record on the platform (journal entries,
    log facts, expenditures, batches, reports, feedback); the method is at `method_url`.
    Before the minimum history: `{"grade": null, "reason": "not_enough_history"}`."""
    organisation = permissions.access_rated_organisation(user=request.user, slug=slug)
    snapshot = selectors.latest_snapshot(organisation)
    method_url = request.build_absolute_uri(reverse("ratings:method"))
    if snapshot is None:
        return {"grade": None, "reason": "not_computed_yet", "method_url": method_url}
    indicators = [
        {"key": i["key"], "value": i["value"], "unit": i["unit"], "score": i["score"], "weight": i["weight"],
         "explanation": method.explanation(i["key"])}
        for i in snapshot.indicators
    ]
    if not snapshot.enough_history:
        return {"grade": None, "reason": "not_enough_history", "indicators": indicators,
                "computed_at": snapshot.computed_at, "method_url": method_url}
    return {
        "score": snapshot.score, "grade": snapshot.grade, "indicators": indicators, "computed_at": snapshot.computed_at,
        "history": [{"day": str(s.day), "score": s.score, "grade": s.grade or None} for s in selectors.history(organisation)],
        "method_url": method_url,
    }
