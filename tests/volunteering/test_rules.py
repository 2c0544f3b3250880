"""The pure rules: rotating codes, minutes, ages, retention."""

from datetime import datetime, timedelta, timezone

import pytest

from jusha.volunteering import rules

KEY = b"k" * 32
T0 = 1_800_000_000.0  # a window boundary: 1.8e9 / 30 is whole


def test_a_code_is_good_in_its_window_and_the_next_then_expires():
    token = rules.token_make(KEY, "in", 7, T0 + 3)
    assert rules.token_check(KEY, token, T0 + 29) == rules.Token("in", 7, int(T0 // 30))
    assert rules.token_check(KEY, token, T0 + 59).shift_id == 7  # previous window still accepted
    with pytest.raises(rules.TokenError) as refused:
        rules.token_check(KEY, token, T0 + 60)
    assert refused.value.code == "expired"


def test_a_new_code_every_30_seconds():
    assert rules.token_make(KEY, "in", 7, T0) == rules.token_make(KEY, "in", 7, T0 + 29.9)
    assert rules.token_make(KEY, "in", 7, T0) != rules.token_make(KEY, "in", 7, T0 + 30)
    assert rules.seconds_left(T0 + 12) == 18


@pytest.mark.parametrize("mangle", [
    lambda t: t.replace("in.7.", "in.8."),  # another shift's number on this shift's MAC
    lambda t: t.replace("in.", "out.", 1),  # a check-in code turned into a check-out code
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
])
def test_a_changed_code_is_forged(mangle):
    token = rules.token_make(KEY, "in", 7, T0)
    with pytest.raises(rules.TokenError) as refused:
        rules.token_check(KEY, mangle(token), T0 + 1)
    assert refused.value.code == "forged"


def test_another_key_or_a_future_window_is_forged():
    token = rules.token_make(KEY, "in", 7, T0 + 60)
    with pytest.raises(rules.TokenError, match="forged"):
        rules.token_check(KEY, token, T0)  # made for a later window: not a code anyone was shown
    with pytest.raises(rules.TokenError, match="forged"):
        rules.token_check(b"x" * 32, rules.token_make(KEY, "in", 7, T0), T0)


@pytest.mark.parametrize("text", ["", "hello", "in.7.1.short", "up.7.1." + "A" * 22, "in.0.1." + "A" * 22, None])
def test_not_a_code_is_malformed(text):
    with pytest.raises(rules.TokenError, match="malformed"):
        rules.token_parse(text)


def test_served_minutes_never_exceed_the_shift():
    start = datetime(2026, 12, 5, 9, tzinfo=timezone.utc)
    end = start + timedelta(hours=3)
    assert rules.served_minutes(start, end, start - timedelta(minutes=25), end + timedelta(hours=1)) == 180
    assert rules.served_minutes(start, end, start + timedelta(minutes=30), start + timedelta(minutes=95)) == 65
    assert rules.served_minutes(start, end, end + timedelta(minutes=1), end + timedelta(minutes=5)) == 0
    assert rules.shift_minutes(start, end) == 180


def test_the_age_is_the_youngest_the_member_can_be():
    from datetime import date

    assert rules.age_on(2008, date(2026, 12, 31)) == 17  # might turn 18 only on 31 December
    assert rules.age_on(2008, date(2027, 1, 1)) == 18


def test_retention_and_pledge():
    assert rules.retention({2024: {1, 2, 3, 4}, 2025: {1, 2, 9}, 2026: set()}) == {2024: None, 2025: 50, 2026: 0}
    assert rules.pledge_progress(90, 180) == 50 and rules.pledge_progress(400, 180) == 100


def test_overlaps():
    a = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    h = timedelta(hours=1)
    assert rules.overlaps(a, a + 2 * h, a + h, a + 3 * h)
    assert not rules.overlaps(a, a + h, a + h, a + 2 * h)  # back to back is fine
