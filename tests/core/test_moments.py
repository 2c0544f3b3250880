"""Times as people read them: jusha.core.moments and the time_tags filters."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone, translation

from jusha.core import moments

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SH)


def said(value, lang="zh-hans"):
    with translation.override(lang):
        return moments.when(value, now=NOW)


def test_recent_moments_read_in_words():
    assert said(NOW - dt.timedelta(seconds=20)) == "刚刚"
    assert said(NOW - dt.timedelta(minutes=5)) == "5 分钟前"
    assert said(NOW - dt.timedelta(hours=2, minutes=7)) == "今天 07:53"
    assert said(dt.datetime(2026, 12, 5, 21, 10, tzinfo=SH)) == "昨天 21:10"
    assert said(dt.datetime(2026, 10, 22, 9, 5, tzinfo=SH)) == "10月22日 09:05"
    assert said(dt.datetime(2025, 3, 1, 7, 53, tzinfo=SH)) == "2025年3月1日 07:53"
    assert said(NOW - dt.timedelta(minutes=5), "zh-hant") == "5 分鐘前"
    assert said(dt.datetime(2025, 3, 1, 7, 53, tzinfo=SH), "en") == "1 Mar 2025 07:53"
    assert said(NOW + dt.timedelta(days=3)) == "12月9日 10:00"  # a moment to come: its date
    assert said(None) == ""


def test_times_are_shown_in_the_sites_zone():
    utc = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)  # 07:30 the next day in Shanghai
    with translation.override("zh-hans"):
        assert moments.full(utc) == "2026年3月2日 07:30"
        assert moments.day(utc) == "2026年3月2日"
        assert moments.day(dt.date(2026, 11, 2)) == "2026年11月2日"
    assert moments.iso(utc) == "2026-03-02T07:30:00+08:00"


def test_filters_draw_a_time_element_for_machines_and_words_for_people():
    moment = timezone.now() - dt.timedelta(minutes=3)
    with translation.override("zh-hans"):
        html = Template("{% load time_tags %}{{ t|when }}|{{ t|at }}|{{ d|day }}|{{ none|when }}").render(
            Context({"t": moment, "d": dt.date(2026, 11, 2), "none": None}))
        full = moments.full(moment)
    when, at, day, none = html.split("|")
    assert when.startswith(f'<time datetime="{moments.iso(moment)}"') and "3 分钟前</time>" in when
    assert at.endswith(f"{full}</time>")
    assert day == '<time datetime="2026-11-02" title="2026年11月2日">2026年11月2日</time>' and none == ""
