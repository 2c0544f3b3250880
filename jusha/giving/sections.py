"""What giving draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.giving.selectors import donor_wall


def project_page(project) -> Section:
    """The project page's donors' wall: its latest counted gifts."""
    return Section("accounts", "giving/_project_wall.html", {"wall": donor_wall(project)})
