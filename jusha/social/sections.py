"""What social draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section


def project_page(project) -> list[Section]:
    """The project page's sharing card meta tags, and its "pass it on" box beside the progress."""
    return [Section("head", "social/_meta.html"), Section("figures", "social/_share.html")]
