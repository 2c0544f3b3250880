import pytest
from hypothesis import given
from hypothesis import strategies as st

from jusha.core.money import Money, MoneyError, allocate


@pytest.mark.parametrize(
    "text,fen", [("200", 20000), ("12.5", 1250), ("0.01", 1), ("1,000.10", 100010), (" 3 ", 300)]
)
def test_parse_exact_major_units(text, fen):
    assert Money.parse(text).amount == fen


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.001", "1e3", "NaN", "0x10", "1.2.3", "¥5"])
def test_parse_refuses_what_is_not_an_exact_amount(text):
    with pytest.raises(MoneyError):
        Money.parse(text)


def test_floats_and_bools_are_never_money():
    with pytest.raises(MoneyError):
        Money(1.5, "CNY")
    with pytest.raises(MoneyError):
        Money(True, "CNY")
    with pytest.raises(TypeError):
        Money(100).times(1.5)


def test_unknown_currency_and_mixing_currencies_refused():
    with pytest.raises(MoneyError):
        Money(100, "XXX")
    with pytest.raises(MoneyError):
        Money(100, "CNY") + Money(100, "USD")


def test_display_and_major():
    assert Money(123456).display() == "¥1,234.56"
    assert Money(-5).major() == "-0.05"
    assert Money(500, "JPY").major() == "500"


@given(st.integers(min_value=0, max_value=10**12), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20))
def test_allocate_is_exact_and_proportional(total, weights):
    parts = allocate(total, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1 + 1e-9
