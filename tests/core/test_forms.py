"""The edge where typed yuan become Money: jusha.core.forms.MoneyField."""

import pytest
from django import forms

from jusha.core.forms import MoneyField
from jusha.core.money import Money


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("200", 20_000), ("12.5", 1_250), ("12.50", 1_250), ("0.01", 1), ("1,000", 100_000), (" 88 ", 8_800),
     ("100000000", 10_000_000_000),
     # what people type on a phone: a yuan sign, full-width digits, thousands separators, 元
     ("¥200", 20_000), ("￥200", 20_000), ("¥ 1,000.50", 100_050), ("２００", 20_000), ("１，０００", 100_000),
     ("１２．５", 1_250), ("200元", 20_000), ("RMB 50", 5_000), ("12,345,678", 1_234_567_800)],
)
def test_yuan_are_parsed_exactly(typed, fen):
    assert MoneyField().clean(typed) == Money(fen, "CNY")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("12.345", "decimals"), ("12.500", "decimals"), ("-5", "invalid"), ("0", "zero"), ("0.00", "zero"),
     ("abc", "invalid"), ("1e5", "invalid"), ("NaN", "invalid"), ("100000000.01", "huge"), ("", "required"),
     ("1,00", "invalid"), ("1,0000", "invalid"), ("¥-5", "invalid"), ("$200", "invalid"), ("２００.００１", "decimals")],
)
def test_bad_amounts_are_refused(typed, code):
    with pytest.raises(forms.ValidationError) as refused:
        MoneyField().clean(typed)
    assert refused.value.code == code


def test_optional_and_initial():
    assert MoneyField(required=False).clean("") is None
    assert MoneyField().prepare_value(123_456) == "1234.56"
    assert MoneyField().prepare_value(Money(123_456)) == "1234.56"


def test_currency_and_cap_of_the_field():
    assert MoneyField(currency="JPY").clean("500") == Money(500, "JPY")
    with pytest.raises(forms.ValidationError) as refused:
        MoneyField(currency="JPY").clean("5.5")
    assert refused.value.code == "decimals"
    with pytest.raises(forms.ValidationError) as refused:
        MoneyField(max_major=1000).clean("1000.01")
    assert refused.value.code == "huge" and "¥1,000" in refused.value.messages[0]
    assert MoneyField(max_major=1000).clean("1000") == Money(100_000)


def test_text_typed_in_a_plain_box_keeps_its_paragraphs():
    from jusha.core.richtext import paragraphs, sanitize_html

    typed = "11 月 5 日，志愿者走访了 3 个村。\r\n\r\n40 个已送到。\n其余下周送。\n\n\n<script>x</script>谢谢"
    html = sanitize_html(paragraphs(typed))
    assert html == "<p>11 月 5 日，志愿者走访了 3 个村。</p><p>40 个已送到。<br>其余下周送。</p><p>谢谢</p>"
    assert paragraphs("<p>已有段落</p>\n\n<p>第二段</p>") == "<p>已有段落</p>\n\n<p>第二段</p>"
    assert paragraphs("") == "" and paragraphs("一行") == "<p>一行</p>"
