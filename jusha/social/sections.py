"""What social draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.social.permissions import can_see_sharing_figures


def project_page(project) -> list[Section]:
    """The project page's sharing card meta tags, and its "pass it on" box beside the progress."""
    return [
        Section("head", "social/_meta.html"),
        Section("figures", "social/_share.html", {"can_see_sharing_figures": can_see_sharing_figures(project)}),
    ]


def receipt_page(donation) -> Section:
    """A gift's receipt: lighting the relay (the template shows it to the donor of a paid gift)."""
    return Section("invite", "social/_light.html")
