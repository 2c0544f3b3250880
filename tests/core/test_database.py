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
