"""The campaign page offers what the APPLICATION table allows the viewer, computed in
selectors (`targets`), not by role checks in the template."""

import pytest

from jusha.campaigns import selectors
from jusha.campaigns.services import application_submit
from tests.factories import make_campaign, make_member, make_project, make_user

pytestmark = pytest.mark.django_db


def test_targets_follow_the_table_and_the_viewers_roles():
    project = make_project()
    campaign = make_campaign()
    owner = make_member(project.organisation, "owner")
    finance = make_member(project.organisation, "finance")
    staff = make_user(is_staff=True)
    application = application_submit(campaign=campaign, project=project, actor=owner)

    assert [a.targets for a in selectors.applications_of(owner, campaign)] == [["withdrawn"]]
    assert [a.targets for a in selectors.applications_of(finance, campaign)] == [[]]
    assert [sorted(a.targets) for a in selectors.applications_waiting(campaign, staff)] == [["accepted", "rejected"]]
    assert application.status == "applied"


def test_the_page_shows_withdraw_to_editors_only(client):
    project = make_project()
    campaign = make_campaign()
    owner = make_member(project.organisation, "owner")
    application_submit(campaign=campaign, project=project, actor=owner)
    withdraw = 'name="target" value="withdrawn"'

    client.force_login(owner)
    assert withdraw in client.get(f"/campaigns/{campaign.slug}/").content.decode()
    client.force_login(make_member(project.organisation, "finance"))
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert project.title in page and withdraw not in page
