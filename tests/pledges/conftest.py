import pytest

from tests.factories import make_org, make_user


@pytest.fixture
def platform_fund():
    """The elders' cause fund, opened by platform staff who own the platform's organisation."""
    from jusha.funds.services import fund_open
    from jusha.organisations.models import Membership

    org = make_org(name="聚沙平台")
    staff = make_user("fund-staff@example.org", is_staff=True)
    Membership.objects.create(organisation=org, user=staff, role="owner")
    return fund_open(cause="elders", organisation=org, actor=staff)
