"""Volunteers assigned to a delivery batch: each delivery confirmed in their name counts as
confirmed hours and a log fact, in the confirming transaction (core.events.delivery_confirmed)."""

import pytest

from jusha.core.errors import Conflict, Forbidden
from jusha.transparency.leaves import parse
from jusha.transparency.models import Fact
from jusha.volunteering import hours
from jusha.volunteering.models import HoursRecord
from tests.factories import give
from tests.fulfilment.conftest import COST, confirm, member, shipped_batch, warm_project
from tests.volunteering.conftest import volunteer

pytestmark = pytest.mark.django_db


def test_deliveries_by_an_assigned_volunteer_count_as_confirmed_hours():
    project = warm_project()
    give(project, COST)
    shipped_batch(project)
    batch = project.batches.get(number=1)
    editor = member(project, "editor")
    li = volunteer(display_name="Volunteer Li")
    with pytest.raises(Forbidden):
        hours.delivery_assign(batch=batch, volunteer=li, actor=li)
    hours.delivery_assign(batch=batch, volunteer=li, actor=editor, minutes_per_delivery=40)
    with pytest.raises(Conflict):
        hours.delivery_assign(batch=batch, volunteer=li, actor=editor)
    confirm(batch, editor, "Elder 01")  # deliverer "Volunteer Li"
    confirm(batch, editor, "Elder 02")
    confirm(batch, editor, "Elder 03", deliverer="Staff Wang")  # not a volunteer on the batch
    records = HoursRecord.objects.filter(volunteer=li)
    assert [(r.source, r.status, r.minutes) for r in records] == [("delivery", "confirmed", 40)] * 2
    facts = [parse(bytes(f.leaf)) for f in Fact.objects.filter(kind="volunteer_hours")]
    assert len(facts) == 2 and facts[0]["batch"] == f"{project.slug}#1" and facts[0]["county"] == "511921"
