"""The apps above organisations and accounts add to their pages and answers through
explicit, ordered providers (core.sections); the lower app names none of them."""

from jusha.accounts import contributions as account
from jusha.organisations import contributions as organisation


def names(contributions) -> list[str]:
    return [f"{p.__module__}.{p.__qualname__}" for p in contributions.providers()]


def test_the_organisation_and_account_pages():
    assert names(organisation.detail_sections) == ["jusha.projects.sections.organisation_page"]
    assert names(organisation.dashboard_sections) == [
        "jusha.projects.sections.organisation_dashboard",  # projects waiting for editors
        "jusha.fulfilment.sections.organisation_dashboard",  # batches waiting for action
        "jusha.volunteering.sections.organisation_dashboard",  # volunteer hours waiting for confirmation
    ]
    assert names(organisation.staff_sections) == ["jusha.projects.sections.staff_dashboard"]
    assert names(account.me_sections) == [
        "jusha.organisations.sections.account_page",
        "jusha.volunteering.sections.account_page",  # the 3-hours-a-year pledge
    ]
    assert names(account.me_fields) == ["jusha.organisations.schemas.account_fields"]
