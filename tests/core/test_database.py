"""The database connection as the hot path relies on it (docs/peak.md, docs/deploy.md)."""

import pytest
from django.db import connection

from jusha.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_prepares_the_statements_a_connection_repeats(project):
    # Django leaves psycopg's prepared statements off unless the settings ask: without
    # them every gift's statements are parsed and planned again on the server.
    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for _ in range(6):
        assert Project.objects.filter(slug=project.slug).values_list("pk", flat=True).first() == project.pk
    assert any('"projects_project"' in statement and "slug" in statement for statement in prepared())


def test_rows_insert_many_writes_each_row_once_with_its_id_in_order():
    from django.db import transaction

    from jusha.core.sql import rows_insert_many
    from jusha.transparency.models import Fact, FactSalt

    facts = [Fact(kind="test", ref=f"r{n}", leaf=bytes([n, 0, 255]) * (n + 1)) for n in range(5)]
    with transaction.atomic():
        rows_insert_many(facts)
        rows_insert_many([FactSalt(fact=fact, salt=b"\x00salt" + fact.leaf[:1]) for fact in facts[1:]])
        rows_insert_many([])  # nothing to write: no statement fails
    assert [fact.pk for fact in facts] == sorted(fact.pk for fact in facts) and None not in [f.pk for f in facts]
    stored = {fact.pk: (fact.ref, bytes(fact.leaf)) for fact in Fact.objects.filter(kind="test")}
    assert stored == {fact.pk: (fact.ref, fact.leaf) for fact in facts}  # each id names the row it was given
    assert {salt.fact_id: bytes(salt.salt) for salt in FactSalt.objects.filter(fact__kind="test")} == {
        fact.pk: b"\x00salt" + fact.leaf[:1] for fact in facts[1:]
    }
    with pytest.raises(ValueError):
        rows_insert_many([facts[0]])  # saved already: new rows only
