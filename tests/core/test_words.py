"""Words a donor understands (issue 14, item 4): match ratios as multiples and n:1, never
basis points; the relay's K as a sentence."""

from django.template import Context, Template
from django.utils import translation


def render(source, **context):
    with translation.override("zh-hans"):
        return Template(source).render(Context(context))


def test_match_ratios_read_as_multiples_and_n_to_1():
    text = "{% load money_tags %}{{ a|ratio }} {{ b|ratio }} {{ c|ratio }} {{ a|times }}–{{ d|times }} {{ e|times }}"
    assert render(text, a=5_000, b=10_000, c=20_000, d=15_000, e=12_345) == "0.5:1 1:1 2:1 0.5–1.5 1.2345"
