import pytest
from datetime import date

from tests.factories import make_member, make_org, make_project, make_user


def make_programme(org=None, *, cap=1, goal=100_000_000):
    from jusha.sponsorship.services import programme_set

    org = org or make_org()
    owner = org.memberships.filter(role="owner").first()
    owner = owner.user if owner else make_member(org, "owner")
    project = make_project(org, goal=goal)
    return programme_set(organisation=org, project=project, actor=owner, sponsors_per_beneficiary=cap)


def make_beneficiary(programme, **fields):
    from jusha.sponsorship.services import beneficiary_create

    editor = programme.organisation.memberships.filter(role__in=["owner", "editor"]).first().user
    values = dict(legal_name="李小红", guardian_name="李大山", guardian_consent_on=date(2026, 1, 5), alias="小红",
                  birth_year=2010, region_code="510722", stage="senior", need="High-school tuition and board",
                  photo_consent=True)
    values.update(fields)
    return beneficiary_create(programme=programme, actor=editor, **values)


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.fixture
def beneficiary(programme):
    return make_beneficiary(programme)


@pytest.fixture
def owner(programme):
    return programme.organisation.memberships.filter(role="owner").first().user


@pytest.fixture
def finance(programme):
    return make_member(programme.organisation, "finance")


@pytest.fixture
def sponsor(db):
    return make_user()


def sponsor_and_pay(beneficiary, donor, fen=30000, months=12, result="succeeded"):
    """Sponsor through the service and pay the first month through the sandbox."""
    from django.test import TestCase

    from jusha.core.client import ClientContext
    from jusha.core.money import Money
    from jusha.payments.sandbox import SandboxProvider
    from jusha.sponsorship.services import sponsorship_create

    sponsorship, donation, _token = sponsorship_create(
        beneficiary=beneficiary, donor=donor, amount=Money(fen, "CNY"), months=months, client=ClientContext()
    )
    if result:
        with TestCase.captureOnCommitCallbacks(execute=True):
            SandboxProvider().complete(donation.intent_id, result)
    sponsorship.refresh_from_db()
    donation.refresh_from_db()
    return sponsorship, donation


def pay_month(donation):
    from django.test import TestCase

    from jusha.payments.sandbox import SandboxProvider

    with TestCase.captureOnCommitCallbacks(execute=True):
        SandboxProvider().complete(donation.intent_id, "succeeded")
    donation.refresh_from_db()
    return donation
