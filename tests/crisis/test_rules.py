import pytest

from jusha.crisis import rules
from jusha.crisis.normalise import normalise


def level(text):
    return rules.evaluate(normalise(text)).level


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("今天天气真好，去吃火锅", 0, 0),
        ("最近失眠好几天了，好累", 1, 3),
        ("我活着没意思，不想活了", 4, 5),
        ("我想好了，药已经攒好了", 7, 8),
        ("我今晚就从楼顶跳下去，遗书写好了", 9, 10),
        ("有没有人一起死", 7, 8),
        ("我刚吃了一整瓶安眠药", 10, 10),
        ("谢谢大家，永别了，东西都送给朋友了", 9, 9),
    ],
)
def test_levels_of_invented_posts(text, low, high):
    assert low <= level(text) <= high


def test_negation_drops_the_wish():
    assert level("我不想死，我只是好累") < 4
    assert rules.evaluate(normalise("我不想死")).negated


def test_hearsay_is_capped():
    result = rules.evaluate(normalise("听说有人跳楼了，新闻里说的"))
    assert result.hearsay and result.level <= 3


def test_traditional_text_scores_like_simplified():
    pytest.importorskip("opencc", reason="opencc-python-reimplemented is not installed: pip install -r requirements.txt")
    assert level("我今晚就從樓頂跳下去，遺書寫好了") == level("我今晚就从楼顶跳下去，遗书写好了")


def test_reasons_name_the_rules_and_phrases():
    reasons = rules.evaluate(normalise("我今晚就从楼顶跳下去")).reasons
    assert any(r.startswith("method:") and "楼顶" in r for r in reasons)
    assert any(r.startswith("date:") and "今晚" in r for r in reasons)


def test_features_have_a_fixed_width():
    assert len(rules.features("")) == len(rules.FEATURE_NAMES) == len(rules.features("我想死"))
