"""Fulfilment loads batches through permissions, offers what the BATCH table allows the
viewer (batch_actions), and its tags draw what the page passes without a query."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from jusha.fulfilment import selectors, states
from jusha.fulfilment.models import Batch
from jusha.fulfilment.permissions import batch_actions
from jusha.projects.services import project_transition
from tests.factories import give, make_member, make_project
from tests.fulfilment.conftest import COST, warm_project

pytestmark = pytest.mark.django_db
ROLES = ("owner", "finance", "editor")


@pytest.mark.parametrize("status", [s for s, _label in Batch.Status.choices])
@pytest.mark.parametrize("role", ROLES)
def test_batch_actions_follow_the_table(status, role):
    batch = Batch(status=status, units=5, project_id=1)
    batch.delivered = 0
    actions = batch_actions(batch, {role})
    allowed = set(states.BATCH.targets(status, role))
    assert actions.can_purchase == (states.PURCHASING in allowed)
    assert actions.can_ship == (states.SHIPPED in allowed)
    assert actions.can_mark_delivered == (states.DELIVERED in allowed)
    assert actions.can_disclose == (states.DISCLOSED in allowed)
    assert actions.can_confirm == (status in states.CONFIRMABLE)
    assert actions.is_member and actions.can_see_signatures


def test_outsiders_get_no_actions():
    batch = Batch(status=states.CREATED, units=5, project_id=1)
    batch.delivered = 0
    assert batch_actions(batch, set()) == batch_actions(batch, None)
    assert not any(vars(batch_actions(batch, set())).values())
    assert batch_actions(batch, {"staff"}).can_see_signatures and not batch_actions(batch, {"staff"}).can_purchase


def test_a_full_batch_takes_no_more_confirmations():
    batch = Batch(status=states.SHIPPED, units=2, project_id=1)
    batch.delivered = 2
    assert not batch_actions(batch, {"editor"}).can_confirm


def test_the_public_batches_api_shows_public_projects_only(client):
    draft = make_project(status="draft")
    make_member(draft.organisation, "owner")
    client.force_login(make_member(draft.organisation, "editor"))
    assert client.get(f"/api/v1/projects/{draft.slug}/batches").status_code == 404  # public API: public projects
    never_published = make_project(status="draft")
    project_transition(project=never_published, target="cancelled", actor=make_member(never_published.organisation))
    assert client.get(f"/api/v1/projects/{never_published.slug}/batches").status_code == 404


def _rendered_without_queries(source: str, context: dict) -> str:
    with CaptureQueriesContext(connection) as captured:
        html = Template(source).render(Context(context))
    assert len(captured) == 0, [q["sql"] for q in captured]
    return html


def test_tags_draw_what_the_page_passes_without_queries():
    project = warm_project()
    give(project, COST + 500)
    project.viewer_roles = set()
    given = {"project": project, "project_fulfilment": selectors.project_fulfilment(project)}
    timeline = _rendered_without_queries('{% include "fulfilment/_timeline.html" %}', given)
    assert 'data-testid="batch-1"' in timeline
    gift = project.donations.filter(status="paid").first()
    given = {"donations": gift, "donor_impact": selectors.donor_impact_rows(gift)}
    impact = _rendered_without_queries('{% include "fulfilment/_impact.html" %}', given)
    assert "batch 1" in impact
    pending = selectors.batches_needing_action(project.organisation)
    given = {"organisation": project.organisation, "batches_needing_action": pending}
    dashboard = _rendered_without_queries('{% include "fulfilment/_dashboard.html" %}', given)
    assert "batch 1" in dashboard
