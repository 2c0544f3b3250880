from jusha.crisis.normalise import normalise

from tests.crisis.conftest import needs_model_libraries

needs_model_libraries()


def test_traditional_becomes_simplified():
    assert normalise("我真的很憂鬱，沒意義") == "我真的很忧郁,没意义"


def test_full_width_forms_and_ideographic_space():
    assert normalise("ＡＢＣ！　１２３") == "abc! 123"


def test_links_mentions_and_html_are_removed():
    text = "<p>看这个 https://example.com/x?y=1 @小明同学 好累</p>&amp;"
    assert normalise(text) == "看这个 好累 &"


def test_repeated_characters_shrink_to_two():
    assert normalise("啊啊啊啊啊好难受～～～～") == "啊啊好难受~~"


def test_emoji_keep_their_base_character():
    assert normalise("晚安\u2764\ufe0f👋🏻") == "晚安\u2764👋"


def test_empty_and_whitespace():
    assert normalise("") == ""
    assert normalise("  \n\t ") == ""
