"""What ratings draws on the pages of lower apps (registered in apps.py)."""

from __future__ import annotations

from jusha.core.sections import Section
from jusha.ratings import selectors
from jusha.ratings.views import rating_context


def project_page(project) -> list[Section]:
    """Beside the progress: the organisation's grade, one click from its explanation; under
    the delivery timeline: the donor's one question, once help was delivered."""
    snapshot = selectors.latest_snapshot(project.organisation)
    return [
        Section("head", "ratings/_head.html"),
        Section("figures", "ratings/_project_grade.html", {"organisation": project.organisation, "snapshot": snapshot}),
    ]


def organisation_page(organisation) -> Section:
    return Section("rating", "ratings/_organisation.html", rating_context(organisation, brief=True))


def organisation_dashboard(memberships) -> dict:
    """Each organisation's grade and the first thing that would raise it."""
    latest = selectors.latest_by_organisation([m.organisation_id for m in memberships])
    return {
        m.organisation_id: Section("work", "ratings/_dashboard.html", {
            "organisation": m.organisation, "snapshot": latest.get(m.organisation_id)})
        for m in memberships
    }


def staff_dashboard() -> Section:
    return Section("queue", "ratings/_staff.html", {})


def receipt_page(donation) -> Section | None:
    """The one question after delivery, on the gift's receipt (for its donor)."""
    if not selectors.feedback_eligible(donation):
        return None
    return Section("invite", "ratings/_feedback.html", {
        "feedback_donation": donation, "feedback": selectors.feedback_of(donation), "stars_range": range(1, 6),
    })
