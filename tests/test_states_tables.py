"""Every status table (`jusha/<app>/states.py`), derived from the table itself: each
declared transition is allowed for each of its roles and refused to every other role; each
pair it does not declare is refused to everyone, the platform included; and it names only
statuses its model has. A new states.py is picked up without editing this file."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from jusha.core.errors import TransitionRefused
from jusha.core.statemachine import ROLE_LABELS, SYSTEM, TransitionTable

JUSHA = Path(__file__).resolve().parents[1] / "jusha"


def _tables() -> list[tuple[str, TransitionTable]]:
    found = []
    for path in sorted(JUSHA.glob("*/states.py")):
        module = importlib.import_module(f"jusha.{path.parent.name}.states")
        tables = [(f"{path.parent.name}.{name}", value) for name, value in sorted(vars(module).items())
                  if isinstance(value, TransitionTable)]
        assert tables, f"{path} declares no TransitionTable"
        found += tables
    return found


TABLES = _tables()


# The roles a refusal can name, and two that no table may ever name.
KNOWN_ROLES = frozenset(ROLE_LABELS) | {SYSTEM}
OUTSIDERS = frozenset({"donor", "stranger"})


def _roles() -> frozenset[str]:
    return KNOWN_ROLES | OUTSIDERS


def _declared(table: TransitionTable) -> dict[tuple[str, str], frozenset[str]]:
    """Each declared pair and its roles, as the table answers it (asked as every known role)."""
    return {pair: table.check(*pair, KNOWN_ROLES).roles for pair in table.pairs()}


def _statuses(table: TransitionTable) -> set[str]:
    return set(table.labels) | {status for pair in table.pairs() for status in pair}


@pytest.mark.parametrize("name,table", TABLES, ids=[name for name, _table in TABLES])
def test_every_declared_transition_is_allowed_for_its_roles_only(name, table):
    declared = _declared(table)
    assert declared, f"{name} declares no transition"
    for (source, target), roles in declared.items():
        assert roles, f"{name}: nobody may move {source} → {target}"
        for role in roles:
            assert table.check(source, target, {role}).target == target
            assert table.check(source, target, role).target == target  # a single role as a string too
        for role in _roles() - roles:
            with pytest.raises(TransitionRefused) as refused:
                table.check(source, target, {role})
            assert refused.value.code == "transition_not_allowed", (name, source, target, role)
            assert refused.value.extra == {"from": source, "to": target}
        with pytest.raises(TransitionRefused):
            table.check(source, target, set())  # no role at all


@pytest.mark.parametrize("name,table", TABLES, ids=[name for name, _table in TABLES])
def test_every_undeclared_pair_is_refused_to_everyone(name, table):
    declared = set(table.pairs())
    statuses = _statuses(table)
    everyone = _roles()
    undeclared = [(s, t) for s in sorted(statuses) for t in sorted(statuses) if (s, t) not in declared]
    assert undeclared, f"{name}: every pair declared?"
    some = sorted(statuses)[0]
    for source, target in undeclared + [(some, "no-such-status"), ("no-such-status", some)]:
        with pytest.raises(TransitionRefused) as refused:
            table.check(source, target, everyone)
        assert refused.value.status == 409 and refused.value.code != "transition_not_allowed", (name, source, target)
        assert refused.value.extra == {"from": source, "to": target}


@pytest.mark.parametrize("name,table", TABLES, ids=[name for name, _table in TABLES])
def test_every_table_names_only_its_models_statuses(name, table):
    assert table.labels, f"{name} has no labels (its model's Status.choices)"
    named = {status for pair in table.pairs() for status in pair}
    assert named <= set(table.labels), f"{name} names statuses its model does not have: {named - set(table.labels)}"


@pytest.mark.parametrize("name,table", TABLES, ids=[name for name, _table in TABLES])
def test_targets_list_exactly_the_declared_moves_for_each_role(name, table):
    declared = _declared(table)
    for source in _statuses(table):
        assert set(table.targets(source)) == {t for (s, t) in declared if s == source}
        for role in _roles():
            allowed = {t for (s, t), roles in declared.items() if s == source and role in roles}
            assert set(table.targets(source, role)) == allowed


@pytest.mark.parametrize("name,table", TABLES, ids=[name for name, _table in TABLES])
def test_every_table_names_known_roles(name, table):
    roles = {role for pair in table.pairs() for role in table.check(*pair, _roles()).roles}
    assert roles <= KNOWN_ROLES, f"{name} names roles a refusal cannot name: {roles - KNOWN_ROLES}"


def test_every_states_module_is_covered():
    apps = {path.parent.name for path in JUSHA.glob("*/states.py")}
    assert apps and apps == {name.split(".")[0] for name, _table in TABLES}
