"""What volunteering draws on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.volunteering import selectors, states


def organisation_dashboard(memberships) -> dict[int, Section]:
    """In each organisation the user runs activities for: hours waiting for confirmation."""
    return {
        m.organisation_id: Section("work", "volunteering/_dashboard.html", {
            "volunteer_hours_waiting": selectors.hours_to_decide(m.organisation).count()})
        for m in memberships if m.role in states.ORGANISERS
    }


def account_page(user) -> Section:
    """The member's account page: their 3-hours-a-year pledge and its progress."""
    return Section("organisations", "volunteering/_account.html", {"volunteer_pledge": selectors.pledge_of(user)})
