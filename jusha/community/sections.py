"""What community draws on other apps' pages (registered in apps.py)."""

from jusha.community import rules, selectors
from jusha.core.sections import Section


def project_page(project) -> Section:
    """The project page: its teams (一起捐) and a way to open one, and following its organisation."""
    return Section("figures", "community/_project_teams.html", {
        "teams": selectors.project_teams(project, limit=3),
        "organisation_key": rules.key(rules.ORGANISATION, project.organisation_id),
    })
