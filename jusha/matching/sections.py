"""What matching draws on other apps' pages (registered in apps.py), with the data its
template shows, read here (the template's tag only hands it on)."""

from jusha.core.sections import Section
from jusha.matching import selectors


def project_page(project) -> Section:
    """Beside the project's progress: what sponsors matched, and the pools matching it now."""
    return Section("figures", "matching/_project_matched.html",
                   {"project_matching": selectors.project_matching(project)})


def receipt_page(donation) -> Section:
    """A gift's receipt: its match, if it has one."""
    return Section("figures", "matching/_donation_match.html", {"donation_match": selectors.donation_match_info(donation)})
