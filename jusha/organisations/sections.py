"""What organisations draws on the pages of the apps below it (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.organisations.selectors import invitations_for_user, memberships_of


def account_page(user) -> Section:
    """A user's account page: the invitations waiting for them, and their organisations."""
    return Section(
        "organisations",
        "organisations/_account.html",
        {"invitations": invitations_for_user(user), "memberships": memberships_of(user)},
    )
