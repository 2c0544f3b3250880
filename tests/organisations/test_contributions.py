"""The apps above organisations and accounts add to their pages and answers through
explicit, ordered providers (core.sections); the lower app names none of them."""

from jusha.accounts import contributions as account
from jusha.organisations import contributions as organisation


def names(contributions) -> list[str]:
    return [f"{p.__module__}.{p.__qualname__}" for p in contributions.providers()]


def test_the_organisation_and_account_pages():
    assert names(organisation.detail_sections) == [
        "jusha.ratings.sections.organisation_page",  # the grade, slot "rating"
        "jusha.projects.sections.organisation_page",
        "jusha.reports.sections.organisation_page",  # decided reports, the way to report
        "jusha.alliance.sections.organisation_page",  # its open-data files and fediverse handle
    ]
    assert names(organisation.dashboard_sections) == [
        "jusha.projects.sections.organisation_dashboard",  # projects waiting for editors
        "jusha.fulfilment.sections.organisation_dashboard",  # batches waiting for action
        "jusha.pledges.sections.organisation_dashboard",  # do its donors come back
        "jusha.reports.sections.organisation_dashboard",  # open reports to answer
        "jusha.sponsorship.sections.organisation_dashboard",  # the sponsorship programme, and whether it needs them
        "jusha.ratings.sections.organisation_dashboard",  # the grade and what would raise it
        "jusha.volunteering.sections.organisation_dashboard",  # hours waiting for confirmation
        "jusha.alliance.sections.organisation_dashboard",  # owners: webhooks and open data
    ]
    assert names(organisation.staff_sections) == [
        "jusha.projects.sections.staff_dashboard",
        "jusha.reports.sections.staff_dashboard",
        "jusha.ratings.sections.staff_dashboard",
    ]
    assert names(account.me_sections) == [
        "jusha.organisations.sections.account_page",  # invitations, organisations
        "jusha.volunteering.sections.account_page",  # hours and the 3-hours-a-year pledge
        "jusha.crisis.sections.account_page",  # the crisis queue and team, for those with a role
    ]
    assert names(account.me_fields) == ["jusha.organisations.schemas.account_fields"]
