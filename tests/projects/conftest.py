from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.core.money import Money
from tests.factories import make_member, make_project


def _money(value, currency):
    """Whole numbers of fen become Money, as the forms and the API make them at the edge;
    anything else (a float, a bool) is passed on as it is, for the service to refuse."""
    return Money(value, currency) if type(value) is int else value


def project_kwargs(*, currency="CNY", **overrides) -> dict:
    """Valid arguments for project_create (without organisation and actor); amounts given
    in fen (ints) are passed as Money in `currency`."""
    kwargs = {
        "title": "Warm winter for elders",
        "summary": "Warm packs for elders living alone",
        "story": "<p>Winters in the hills are long.</p>",
        "cause": "elders",
        "region_code": "511921",
        "goal": 100_000,
        "ends_at": timezone.now() + timedelta(days=30),
        "beneficiary_count": 20,
        "unit_name": "warm pack",
        "unit_cost": 5_000,
        "shortfall_rule": "proportional",
        "overflow_rule": "refund",
        "budget_lines": [("Warm packs", 80_000), ("Delivery", 20_000)],
        **overrides,
    }
    for name in ("goal", "unit_cost"):
        kwargs[name] = _money(kwargs[name], currency)
    kwargs["budget_lines"] = [(title, _money(amount, currency)) for title, amount in kwargs["budget_lines"]]
    return kwargs


@pytest.fixture
def owner(org):
    return make_member(org, "owner")


@pytest.fixture
def editor(org):
    return make_member(org, "editor")


@pytest.fixture
def draft(org):
    return make_project(org, status="draft")
