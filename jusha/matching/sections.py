"""What matching draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section


def project_page(project) -> Section:
    """Beside the project's progress: what sponsors matched, and the pools matching it now."""
    return Section("figures", "matching/_project_matched.html")
