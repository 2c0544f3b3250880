"""The project's running totals live in projects (ProjectTotal, project_sums); the ledger
writes them with every journal entry. Their kinds are the journal's kinds."""

import pytest

from jusha.ledger.models import JournalEntry
from jusha.projects.models import ProjectTotal


def test_total_kinds_are_the_journal_kinds():
    assert ProjectTotal.Kind.choices == JournalEntry.Kind.choices


def test_the_table_keeps_its_name():
    """A state-only move: the rows written before the move are the same rows."""
    assert ProjectTotal._meta.db_table == "ledger_projecttotal"
    assert [c.name for c in ProjectTotal._meta.constraints] == ["project_total_shard"]


@pytest.mark.django_db
def test_migrations_know_the_model_in_projects_only():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state()
    assert ("projects", "projecttotal") in state.models
    assert ("ledger", "projecttotal") not in state.models
