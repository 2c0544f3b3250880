"""Helpers for fulfilment tests: a warm-pack project with a batch plan, and each step of a
batch through its service."""

import datetime

import pytest
from django.utils import timezone

from jusha.core.money import Money
from jusha.fulfilment import services
from tests.factories import image_upload, make_member, make_project

UNIT = 2_000  # 20 yuan a warm pack
SIZE = 5  # units per batch: a batch costs 10,000 fen
COST = UNIT * SIZE


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"


def warm_project(org=None, *, goal=100_000, size=SIZE, **extra):
    """A fundraising project whose unit is a 20-yuan warm pack, batches of `size` planned."""
    project = make_project(org, goal=goal, unit_name="温暖包", unit_cost=UNIT, **extra)
    if size:
        services.batch_plan_set(project=project, batch_size=size, actor=member(project, "editor"))
    return project


def member(project, role):
    return make_member(project.organisation, role)


def purchase(batch, actor, amount=None):
    return services.batch_purchase(
        batch=batch, actor=actor, budget_line=batch.project.budget_lines.first(), amount=Money(amount or batch.cost),
        description="Warm packs from the supplier", spent_on=timezone.localdate(), invoice=image_upload("invoice.png"),
    )


def ship(batch, actor):
    return services.batch_ship(batch=batch, actor=actor, carrier="SF Express", tracking_number="SF1234567890")


def confirm(batch, actor, recipient="Elder 01", *, project=None, **extra):
    fields = dict(
        project=project or batch.project, batch=batch, actor=actor, recipient=recipient, county_code="511921",
        delivered_at=timezone.now() - datetime.timedelta(minutes=1), deliverer="Volunteer Li",
        signature=image_upload("signature.png"),
    )
    fields.update(extra)
    return services.delivery_confirm(**fields)


def shipped_batch(project):
    """The project's first batch, purchased and shipped (the project must hold its cost)."""
    finance = member(project, "finance")
    batch = project.batches.get(number=1)
    ship(purchase(batch, finance), finance)
    batch.refresh_from_db()
    return batch
