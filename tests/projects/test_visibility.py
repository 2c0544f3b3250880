"""One rule for who may see a project: `selectors.is_public` for one project, and
`visibility.public_q` for querysets, agree for every status, published or not."""

import pytest
from django.utils import timezone

from jusha.projects.models import BudgetLine, Project
from jusha.projects.selectors import is_public
from jusha.projects.visibility import public_q
from tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("published", [False, True], ids=["never_published", "published"])
@pytest.mark.parametrize("status", Project.Status.values)
def test_public_q_matches_is_public(status, published):
    project = make_project(status="draft")
    Project.objects.filter(pk=project.pk).update(status=status, published_at=timezone.now() if published else None)
    project.refresh_from_db()

    by_rule = is_public(project)
    by_query = Project.objects.filter(public_q(), pk=project.pk).exists()
    through_relation = BudgetLine.objects.filter(public_q("project__"), project=project).exists()

    assert by_query == by_rule
    assert through_relation == by_rule


def test_cancelled_is_public_only_after_publication():
    assert is_public(Project(status="cancelled", published_at=timezone.now()))
    assert not is_public(Project(status="cancelled", published_at=None))
