from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_member, make_project


def project_kwargs(**overrides) -> dict:
    """Valid arguments for project_create (without organisation and actor)."""
    return {
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


@pytest.fixture
def owner(org):
    return make_member(org, "owner")


@pytest.fixture
def editor(org):
    return make_member(org, "editor")


@pytest.fixture
def draft(org):
    return make_project(org, status="draft")
