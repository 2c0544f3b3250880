"""projects.sql: the gift path's one-statement read of a project, its organisation and its
totals gives what the ORM and `project_sums` give, value for value and type for type."""

import pytest

from jusha.organisations.models import Organisation
from jusha.projects.models import Project
from jusha.projects.selectors import project_sums, project_with_sums
from tests.factories import give, make_project

pytestmark = pytest.mark.django_db


def values(instance):
    return [(f.attname, type(getattr(instance, f.attname)), getattr(instance, f.attname))
            for f in type(instance)._meta.concrete_fields]


@pytest.mark.parametrize("gifts", [0, 2])
def test_the_project_its_organisation_and_its_sums_are_what_the_orm_reads(gifts):
    project = make_project(goal=50_000, unit_cost=500, unit_name="pack", featured=True)
    make_project()  # another project's totals are not counted
    for amount in range(gifts):
        give(project, 1_000 + amount)
    read, sums = project_with_sums(slug=project.slug)
    orm = Project.objects.get(pk=project.pk)
    assert values(read) == values(orm)
    assert read._state.adding is False and read._state.db == orm._state.db
    assert values(read.organisation) == values(Organisation.objects.get(pk=project.organisation_id))
    assert sums == project_sums([project.pk])[project.pk]
    assert sums.raised == sum(1_000 + a for a in range(gifts))


def test_an_unknown_slug_is_none():
    assert project_with_sums(slug="no-such-project") == (None, None)
