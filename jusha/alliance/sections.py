"""What the alliance adds to lower apps' pages."""

from jusha.alliance import federation, opendata
from jusha.core.sections import Section


def organisation_page(organisation) -> Section | None:
    """A verified organisation's page links its open data and its fediverse handle."""
    if not organisation.is_verified:
        return None
    return Section("projects", "alliance/sections/organisation_open_data.html", {
        "organisation": organisation,
        "grants": opendata.public_pools_of(organisation).exists(),
        "activities": opendata.has_activities(organisation),
        "handle": f"@{federation.username('org', organisation.slug)}@{federation.host()}",
    })
