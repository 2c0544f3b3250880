"""What fulfilment draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section


def project_page(project) -> Section:
    """After the project's story: its delivery batches."""
    return Section("accounts", "fulfilment/_timeline.html")


def organisation_dashboard(memberships) -> dict[int, Section]:
    """In each of the user's organisations: the delivery batches waiting for action."""
    return {m.organisation_id: Section("work", "fulfilment/_dashboard.html") for m in memberships}
