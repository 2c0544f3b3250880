import pytest

from jusha.core.errors import TransitionRefused
from jusha.core.statemachine import TransitionTable
from jusha.giving.states import DONATION

T = TransitionTable("thing", [("a", "b", {"owner"}), ("b", "c", {"staff", "system"})])


def test_allowed_transition_returns_it():
    assert T.check("a", "b", {"owner"}).target == "b"


def test_unknown_pair_is_refused_with_the_reason():
    with pytest.raises(TransitionRefused) as info:
        T.check("a", "c", {"owner"})
    assert "“a”" in str(info.value.detail) and "“c”" in str(info.value.detail)
    assert info.value.status == 409


def test_wrong_role_is_refused_naming_who_may():
    with pytest.raises(TransitionRefused) as info:
        T.check("b", "c", {"owner"})
    assert info.value.code == "transition_not_allowed"
    assert "platform staff" in str(info.value.detail)


def test_who_may_is_listed_in_the_reader_s_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(TransitionRefused) as info:
        T.check("b", "c", {"owner"})
    assert "platform staff, the platform itself" in str(info.value.detail)
    with translation.override("zh-hans"), pytest.raises(TransitionRefused) as info:
        T.check("b", "c", {"owner"})
    assert "、" in str(info.value.detail) and ", " not in str(info.value.detail)


def test_donation_table_never_leaves_refunded():
    assert DONATION.targets("refunded") == []
    assert set(DONATION.targets("pending")) == {"paid", "failed", "expired"}
