"""The lifecycle table and its guards, alone (no database)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.core.errors import TransitionRefused
from jusha.core.statemachine import ROLE_LABELS, SYSTEM
from jusha.projects.models import Project
from jusha.projects import states
from jusha.projects.states import PROJECT, Facts, check_guards

ALL_ROLES = {"owner", "editor", "finance", "staff", SYSTEM}
ALLOWED = {
    ("draft", "in_review"): {"owner", "editor"},
    ("in_review", "draft"): {"owner", "editor"},
    ("in_review", "changes_requested"): {"staff"},
    ("changes_requested", "draft"): {"owner", "editor"},
    ("in_review", "fundraising"): {"staff"},
    ("fundraising", "funded"): {SYSTEM},
    ("fundraising", "executing"): {SYSTEM, "owner"},
    ("fundraising", "cancelled"): {"owner", "staff", SYSTEM},
    ("funded", "executing"): {"owner", "editor", SYSTEM},
    ("executing", "completed"): {"owner"},
    ("draft", "cancelled"): {"owner", "staff"},
    ("in_review", "cancelled"): {"owner", "staff"},
    ("changes_requested", "cancelled"): {"owner", "staff"},
    ("funded", "cancelled"): {"staff"},
    ("executing", "cancelled"): {"staff"},
    # A report is looked into (or was upheld): staff stop the fundraising, then resume or cancel.
    ("fundraising", "suspended"): {"staff"},
    ("suspended", "fundraising"): {"staff"},
    ("suspended", "cancelled"): {"staff"},
}
STATUSES = ["draft", "in_review", "changes_requested", "fundraising", "suspended", "funded", "executing", "completed",
            "cancelled"]


def test_table_is_exactly_the_lifecycle():
    assert set(PROJECT.pairs()) == set(ALLOWED)


@pytest.mark.parametrize(("pair", "roles"), ALLOWED.items())
def test_allowed_roles_pass_and_others_are_refused_by_name(pair, roles):
    source, target = pair
    for role in roles:
        assert PROJECT.check(source, target, {role}).target == target
    for role in ALL_ROLES - roles:
        with pytest.raises(TransitionRefused) as refused:
            PROJECT.check(source, target, {role})
        assert refused.value.code == "transition_not_allowed"
        assert refused.value.status == 409
        assert all(str(ROLE_LABELS[r]) in str(refused.value.detail) for r in roles)


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_pairs_outside_the_table_are_refused_saying_which(source, target):
    if (source, target) in ALLOWED:
        return
    with pytest.raises(TransitionRefused) as refused:
        PROJECT.check(source, target, ALL_ROLES)
    assert refused.value.code == "transition_refused"
    labels = dict(Project.Status.choices)
    assert str(labels[source]) in str(refused.value.detail) and str(labels[target]) in str(refused.value.detail)
    assert refused.value.extra == {"from": source, "to": target}


def test_completed_and_cancelled_are_final():
    assert PROJECT.targets("completed") == [] and PROJECT.targets("cancelled") == []


def test_allowed_targets_for_buttons():
    assert states.allowed_targets("in_review", {"staff"}) == ["changes_requested", "fundraising", "cancelled"]
    assert states.allowed_targets("in_review", {"editor"}) == ["draft"]
    assert states.allowed_targets("fundraising", {"editor"}) == []
    assert set(states.allowed_targets("in_review", {"owner", "staff"})) == {
        "draft", "changes_requested", "fundraising", "cancelled"
    }


def facts(**overrides):
    now = timezone.now()
    base = dict(now=now, goal=10_000, ends_at=now + timedelta(days=3), organisation_verified=True, budget_total=10_000)
    return Facts(**{**base, **overrides})


def refusal(source, target, *, system=False, **overrides):
    with pytest.raises(TransitionRefused) as refused:
        check_guards(source, target, system=system, facts=facts(**overrides))
    return refused.value


def test_approval_guards():
    check_guards("in_review", "fundraising", system=False, facts=facts())
    assert refusal("in_review", "fundraising", organisation_verified=False).code == "organisation_not_verified"
    mismatch = refusal("in_review", "fundraising", budget_total=9_000)
    assert mismatch.code == "budget_mismatch"
    assert "¥90.00" in str(mismatch.detail) and "¥100.00" in str(mismatch.detail)
    assert refusal("in_review", "fundraising", ends_at=timezone.now() - timedelta(minutes=1)).code == "ends_at_past"
    assert refusal("in_review", "fundraising", goal=0, budget_total=0).code == "goal_not_positive"


def test_reasons_required_for_sending_back_and_late_cancellation():
    for source, target in [("in_review", "changes_requested"), ("funded", "cancelled"), ("executing", "cancelled")]:
        assert refusal(source, target).code == "reason_required"
        check_guards(source, target, system=False, facts=facts(reason="Budget unclear"))
    check_guards("draft", "cancelled", system=False, facts=facts())


def test_final_report_required_to_complete():
    assert refusal("executing", "completed").code == "final_report_required"
    check_guards("executing", "completed", system=False, facts=facts(final_report="All delivered"))


def test_closing_early_by_the_owner():
    assert refusal("fundraising", "executing", raised=0).code == "nothing_raised"
    assert refusal("fundraising", "executing", raised=500, shortfall_rule="refund").code == "shortfall_refund_rule"
    check_guards("fundraising", "executing", system=False, facts=facts(raised=500))
    check_guards("fundraising", "executing", system=False, facts=facts(raised=10_000, shortfall_rule="refund"))


def test_the_platform_decides_its_own_moves():
    check_guards("fundraising", "funded", system=True, facts=facts())
    check_guards("fundraising", "executing", system=True, facts=facts(raised=0))
