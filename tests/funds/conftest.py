import pytest

from tests.factories import make_member, make_org, make_user


@pytest.fixture
def platform_staff():
    """Platform staff who are owners of the platform's own organisation."""
    org = make_org(name="聚沙平台")
    user = make_user("staff-funds@example.org", is_staff=True)
    from jusha.organisations.models import Membership

    Membership.objects.create(organisation=org, user=user, role="owner")
    return user, org


@pytest.fixture
def fund(platform_staff):
    from jusha.funds.services import fund_open

    user, org = platform_staff
    return fund_open(cause="children", organisation=org, actor=user)
