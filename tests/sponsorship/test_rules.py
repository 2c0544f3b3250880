from datetime import date

import pytest

from jusha.sponsorship import rules


@pytest.mark.parametrize("text,kind", [
    ("我的电话是13812345678", rules.PHONE),
    ("打 138 1234 5678 找我", rules.PHONE),
    ("138-1234-5678", rules.PHONE),
    ("１３８１２３４５６７８", rules.PHONE),  # full-width digits
    ("一三八一二三四五六七八", rules.PHONE),  # Chinese numerals
    ("+86 138 1234 5678", rules.PHONE),
    ("家里座机 028-8765 4321", rules.PHONE),
    ("加我微信：zhang_san88", rules.WECHAT),
    ("vx: lixiaohong2010", rules.WECHAT),
    ("WeChat id abc12345", rules.WECHAT),
    ("我的QQ号是 123456789", rules.QQ),
    ("扣扣：87654321", rules.QQ),
    ("写信到 hong@example.com", rules.EMAIL),
    ("我家在人民路12号", rules.ADDRESS),
    ("住在阳光小区", rules.ADDRESS),
    ("3号楼2单元501室", rules.ADDRESS),
    ("地址：四川省绵阳市", rules.ADDRESS),
    ("I live at 12 Main Street", rules.ADDRESS),
    ("see www.example.com", rules.LINK),
])
def test_contact_details_are_found_and_named(text, kind):
    found = rules.find_contact_details(text)
    assert found and found[0].kind == kind
    assert found[0].text and found[0].text in text


@pytest.mark.parametrize("text", [
    "数学98分，语文95分，英语90分。",
    "我们班有35个人，我考了第3名。",
    "2026年9月1日开学，我上高二了。",
    "谢谢叔叔！我一定会好好学习。",
    "Thank you! I got 92 in maths this term.",
    "",
])
def test_ordinary_letters_pass(text):
    assert rules.find_contact_details(text) == []


def test_each_detail_is_named_once_in_order():
    found = rules.find_contact_details("电话13812345678，微信 abc_12345，家住人民路12号")
    assert [f.kind for f in found] == [rules.PHONE, rules.WECHAT, rules.ADDRESS]


def test_age_band_province_and_county():
    assert rules.age_band(2010, date(2026, 6, 1)) == "15-17"
    assert rules.age_band(2020, date(2026, 6, 1)) == "6-11"
    assert rules.province_of("510722") == "510000"
    assert rules.county_of("510722") == "510722"


def test_months_due_and_term_end():
    start = date(2026, 1, 31)
    assert rules.add_months(start, 1) == date(2026, 2, 28)
    assert rules.months_due(start=start, months=3, paid_through=1, today=date(2026, 2, 27)) == []
    assert rules.months_due(start=start, months=3, paid_through=1, today=date(2026, 3, 31)) == [2, 3]
    assert rules.months_due(start=start, months=3, paid_through=3, today=date(2027, 1, 1)) == []
    assert rules.term_end(start, 12) == date(2027, 1, 31)


def test_report_overdue_then_lost_contact():
    due = date(2026, 3, 1)
    assert rules.report_state(due_on=due, today=date(2026, 3, 1), lost_contact_after_days=30) == rules.ReportState(False, False, 0)
    assert rules.report_state(due_on=due, today=date(2026, 3, 11), lost_contact_after_days=30) == rules.ReportState(True, False, 10)
    assert rules.report_state(due_on=due, today=date(2026, 4, 1), lost_contact_after_days=30).lost_contact


def test_figures_and_refund_plan():
    assert rules.figures(earmarked=90000, refunded=10000, disbursed=50000, redirected=0).held == 30000
    assert rules.refund_plan([("c", 30000), ("b", 30000), ("a", 30000)], 40000) == [("c", 30000), ("b", 10000)]
    with pytest.raises(ValueError):
        rules.refund_plan([("a", 100)], 200)
