"""When a campaign is open, with daily hours in Beijing time, and what its countdown counts to."""

from datetime import datetime, time, timedelta

from jusha.campaigns import rules
from jusha.campaigns.rules import SHANGHAI, Window

START = datetime(2026, 9, 7, 0, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9, 7 + day, hour, minute, tzinfo=SHANGHAI)


def test_window_without_hours():
    window = Window(START, START + timedelta(days=3))
    assert rules.phase(window, at(-1, 12)) == "upcoming"
    assert rules.countdown_target(window, at(-1, 12)) == START
    assert rules.phase(window, at(1, 3)) == "open" and rules.countdown_target(window, at(1, 3)) == window.ends_at
    assert rules.phase(window, window.ends_at) == "closed" and rules.countdown_target(window, window.ends_at) is None


def test_daily_hours_pause_the_campaign_between_days():
    window = Window(START, START + timedelta(days=3), time(9), time(21))
    assert rules.phase(window, at(0, 8, 59)) == "paused"
    assert rules.countdown_target(window, at(0, 8)) == at(0, 9)
    assert rules.is_open(window, at(0, 9)) and rules.countdown_target(window, at(0, 10)) == at(0, 21)
    assert rules.phase(window, at(0, 21)) == "paused" and rules.next_opening(window, at(0, 22)) == at(1, 9)
    assert rules.next_opening(window, at(2, 22)) is None  # the last day is over
    assert rules.countdown_target(window, at(-2, 10)) == at(0, 9)


def test_contradictory_windows_are_named():
    assert rules.window_problems(Window(START, START)) == ["invalid_window"]
    assert rules.window_problems(Window(START, START - timedelta(days=1))) == ["invalid_window"]
    assert rules.window_problems(Window(START, START + timedelta(days=1), time(10), time(9))) == ["invalid_hours"]
    assert rules.window_problems(Window(START, START + timedelta(days=1), time(10), None)) == ["invalid_hours"]
    assert rules.window_problems(Window(START, START + timedelta(days=1), time(9), time(21))) == []
