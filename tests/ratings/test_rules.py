"""Each indicator moves as its formula says (pure: no database), and the gaming the method
page names (splitting one expenditure into many) changes nothing."""

from datetime import date, datetime, timedelta, timezone

import pytest

from jusha.ratings import rules
from jusha.ratings.rules import BatchRecord, Line, Record, Spend

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def spend(amount, late_days, *, voucher=True, logged=True):
    day = date(2026, 6, 1)
    return Spend(amount=amount, spent_on=day, disclosed_at=datetime(2026, 6, 1, tzinfo=timezone.utc) + timedelta(days=late_days),
                 has_voucher=voucher, logged=logged)


def record(**kw):
    return Record(now=NOW, first_published=NOW - timedelta(days=400), **kw)


def by_key(r):
    return {i.key: i for i in rules.indicators(r)}


def test_disclosure_timeliness_is_the_money_weighted_median_of_days():
    r = record(spends=[spend(1000, 2), spend(1000, 3), spend(100_000, 60)])
    item = rules.disclosure_timeliness(r)
    assert item.value == 60  # the large late one carries most of the money
    assert item.score == pytest.approx(100 * (90 - 60) / (90 - 7))
    assert rules.disclosure_timeliness(record(spends=[spend(5000, 7)])).score == 100
    assert rules.disclosure_timeliness(record(spends=[spend(5000, 120)])).score == 0
    assert rules.disclosure_timeliness(record()).score is None


def test_splitting_one_expenditure_changes_no_indicator():
    whole = record(spends=[spend(100_000, 40, voucher=False), spend(20_000, 3)], journal_out=120_000)
    split = record(spends=[spend(10_000, 40, voucher=False)] * 10 + [spend(2_000, 3)] * 10, journal_out=120_000)
    assert [(i.key, i.score) for i in rules.indicators(whole)] == [(i.key, i.score) for i in rules.indicators(split)]


def test_completeness_is_vouchered_money_and_budget_reported():
    r = record(spends=[spend(75, 1), spend(25, 1, voucher=False)],
               lines=[Line(amount=600, reported=True), Line(amount=400, reported=False)])
    item = rules.completeness(r)
    assert item.detail == {"vouchered": 0.75, "lines_reported": 0.6}
    assert item.score == pytest.approx(67.5)
    more = record(spends=[spend(75, 1), spend(25, 1)], lines=[Line(600, True), Line(400, True)])
    assert rules.completeness(more).score == 100


def test_traceability_is_logged_money_out_over_the_journal():
    r = record(spends=[spend(300, 1), spend(700, 1, logged=False)], journal_out=1000)
    assert rules.traceability(r).score == pytest.approx(30)
    assert rules.traceability(record(spends=[spend(1000, 1)], journal_out=1000)).score == 100


def test_execution_is_completed_projects_and_batches_on_time_by_cost():
    r = record(projects_due=4, projects_completed=3, batches=[BatchRecord(900, True), BatchRecord(100, False)])
    assert rules.execution(r).score == pytest.approx(100 * (0.75 + 0.9) / 2)
    assert rules.execution(record(batches=[BatchRecord(1, False)])).score == 0
    assert rules.execution(record()).score is None


def test_programme_ratio_is_spent_over_received():
    assert rules.programme_ratio(record(raised_closed=1000, spent_closed=900)).score == 100
    assert rules.programme_ratio(record(raised_closed=1000, spent_closed=300)).score == 0
    assert rules.programme_ratio(record(raised_closed=1000, spent_closed=600)).score == pytest.approx(50)


def test_responsiveness_is_the_median_answer_time():
    assert rules.responsiveness(record(answer_hours=[10, 20, 30])).score == 100
    slow = rules.responsiveness(record(answer_hours=[10, 400, 500], other_hours=[800]))
    assert slow.value == 450 and slow.score == pytest.approx(100 * (720 - 450) / (720 - 48))
    assert rules.responsiveness(record()).score is None


def test_donor_feedback_is_shrunk_towards_the_prior():
    one = rules.donor_feedback(record(feedback=[5]))
    many = rules.donor_feedback(record(feedback=[5] * 45))
    assert one.score == pytest.approx(((5 + 15) / 6 - 1) * 25)
    assert one.score < many.score < 100
    assert rules.donor_feedback(record(feedback=[1] * 50)).score < 10
    assert rules.donor_feedback(record()).score is None


def test_upheld_reports_cost_forty_points_each():
    assert [rules.upheld_reports(record(upheld=n)).score for n in (0, 1, 2, 3)] == [100, 60, 20, 0]


def test_verification_points():
    assert rules.verification(record()).score == 0
    assert rules.verification(record(verified=True, qualified=True, steps_approved=5)).score == 100
    assert rules.verification(record(verified=True, steps_approved=1)).score == pytest.approx(56)


def test_record_length_and_minimum_history():
    young = Record(now=NOW, first_published=NOW - timedelta(days=30), spends=[spend(1, 1)])
    assert not rules.enough_history(young)
    old = Record(now=NOW, first_published=NOW - timedelta(days=365), spends=[spend(1, 1)])
    assert rules.enough_history(old) and rules.record_length(old).score == pytest.approx(100 * 365 / 730)
    assert not rules.enough_history(Record(now=NOW, first_published=NOW - timedelta(days=365)))  # nothing spent


@pytest.mark.parametrize("score,grade", [(100, "A+"), (95, "A+"), (94.9, "A"), (85, "A"), (80, "B+"), (60, "B"),
                                         (59.9, "C"), (0, "C")])
def test_grade_bands(score, grade):
    assert rules.grade_of(score) == grade


def test_score_shares_the_weight_of_indicators_without_data_and_gains_name_the_biggest():
    items = rules.indicators(record(spends=[spend(100, 1)], journal_out=100, verified=True))
    applicable = [i for i in items if i.score is not None]
    expected = sum(i.score * i.weight for i in applicable) / sum(i.weight for i in applicable)
    assert rules.score_of(items) == pytest.approx(round(expected, 1))
    gains = rules.gains(items)
    assert gains == sorted(gains, key=lambda g: -g[1]) and all(points > 0 for _k, points in gains)
    assert "traceability" not in dict(gains)  # already 100


def test_an_upheld_report_caps_the_score_at_grade_c():
    spotless = record(spends=[spend(100, 1)], journal_out=100, verified=True, qualified=True, steps_approved=5)
    assert rules.grade_of(rules.score_of(rules.indicators(spotless))) != "C"
    spotless.upheld = 1
    assert rules.score_of(rules.indicators(spotless)) == rules.UPHELD_CAP
    assert rules.grade_of(rules.UPHELD_CAP) == "C"
