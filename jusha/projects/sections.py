"""What projects draws on the pages of the apps below it (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.projects import states
from jusha.projects.selectors import organisation_projects, projects_in_review, projects_waiting_for_editors


def organisation_page(organisation) -> Section:
    """An organisation's public page lists its public projects."""
    return Section("projects", "projects/_organisation.html", {"projects": organisation_projects(organisation)})


def organisation_dashboard(memberships) -> dict[int, Section]:
    """For the organisations the user edits projects of: drafts and projects sent back for
    changes, and the way to create one. One query."""
    editing = [m.organisation_id for m in memberships if m.role in states.MEMBERS]
    waiting = projects_waiting_for_editors(editing)
    return {pk: Section("work", "projects/_dashboard.html", {"projects": waiting[pk]}) for pk in editing}


def staff_dashboard() -> Section:
    """Platform staff review the projects submitted to them."""
    return Section("queue", "projects/_staff_queue.html", {"projects": projects_in_review()})
