"""What giving draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.giving.permissions import FINANCE_ROLES
from jusha.giving.selectors import donor_wall


def project_page(project) -> list[Section]:
    """The project page's donors' wall (its latest counted gifts) and, for the organisation's
    finance members, owners and staff, the way to its gifts and refunds."""
    sections = [Section("accounts", "giving/_project_wall.html", {"wall": donor_wall(project)})]
    if getattr(project, "viewer_roles", set()) & FINANCE_ROLES:
        sections.append(Section("tools", "giving/_project_tools.html"))
    return sections
