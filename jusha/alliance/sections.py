"""What the alliance adds to lower apps' pages."""

from jusha.alliance import federation, opendata
from jusha.core.sections import Section


def organisation_page(organisation) -> Section | None:
    """A verified organisation's page links its open data and its fediverse handle."""
    if not organisation.is_verified:
        return None
    grants, activities = opendata.files_of(organisation)  # one query
    return Section("projects", "alliance/sections/organisation_open_data.html", {
        "organisation": organisation,
        "grants": grants,
        "activities": activities,
        "handle": f"@{federation.username('org', organisation.slug)}@{federation.host()}",
    })


def organisation_dashboard(memberships) -> dict[int, Section]:
    """For the organisations the user owns: the way to its webhooks and open data. No query."""
    return {m.organisation_id: Section("work", "alliance/sections/organisation_dashboard.html",
                                       {"organisation": m.organisation})
            for m in memberships if m.role == "owner"}
