"""Two (or many) donors sponsoring the last place at once: exactly one gets it, the others
a clear 409 and nothing opened; with a capped group, exactly the cap. Months paid at once
are each earmarked once. PostgreSQL only: SQLite runs one writer at a time."""

import pytest

from jusha.core.client import ClientContext
from jusha.core.errors import Conflict
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.payments.sandbox import SandboxProvider
from jusha.sponsorship import services
from jusha.sponsorship.models import Payment, Sponsorship
from tests.concurrency import require_postgres, run_at_once
from tests.factories import make_user
from tests.sponsorship.conftest import make_beneficiary, make_programme

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()




def _sponsor(beneficiary, donor):
    return lambda: services.sponsorship_create(beneficiary=beneficiary, donor=donor, amount=Money(30000, "CNY"), months=12,
                                               client=ClientContext())


@pytest.mark.parametrize("cap,donors", [(1, 8), (3, 8)])
def test_many_donors_at_once_take_exactly_the_places_there_are(cap, donors):
    beneficiary = make_beneficiary(make_programme(cap=cap))
    users = [make_user() for _ in range(donors)]
    results, errors = run_at_once([_sponsor(beneficiary, u) for u in users])
    assert len(results) == cap
    assert len(errors) == donors - cap and all(isinstance(e, Conflict) and e.code == "no_place_left" for e in errors)
    assert Sponsorship.objects.filter(beneficiary=beneficiary, status="pending").count() == cap
    assert Donation.objects.count() == cap and Payment.objects.count() == cap  # nothing opened for the refused


def test_months_paid_at_once_are_each_earmarked_once():
    beneficiaries = [make_beneficiary(make_programme(), alias=f"学生{i}") for i in range(1)]
    beneficiary = beneficiaries[0]
    sponsorship, donation, _t = _sponsor(beneficiary, make_user())()
    # The same notification delivered several times at once (a provider's retries).
    _results, errors = run_at_once([lambda: SandboxProvider().complete(donation.intent_id, "succeeded") for _ in range(4)])
    assert errors == []
    sponsorship.refresh_from_db()
    assert sponsorship.paid_through == 1 and services.sponsorship_figures(sponsorship).held == 30000
    assert ledger_problems() == []
