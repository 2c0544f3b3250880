import pytest
from hypothesis import given
from hypothesis import strategies as st

from jusha.core.errors import Invalid
from jusha.core.money import (
    Money,
    MoneyError,
    allocate,
    money_in,
    money_of,
    money_or_none,
    require_currency,
    require_money,
    require_positive,
)
from jusha.core.templatetags.money_tags import money


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


def test_short_display_whole_and_whole_units():
    assert Money(10_000).display(short=True) == "¥100" and Money(10_050).display(short=True) == "¥100.50"
    assert Money(100_000_000).display(short=True) == "¥1,000,000"
    assert Money.whole(200) == Money(20_000) and Money.whole(500, "JPY") == Money(500, "JPY")
    assert Money(123_456).whole_units() == 1234 and Money(99).whole_units() == 0
    with pytest.raises(MoneyError):
        Money.whole(1.5)


# --- the one check of an amount a service is given -----------------------------------------


@pytest.mark.parametrize("bare", [100, 1.5, True, "100", None])
def test_a_bare_number_is_a_programming_error(bare):
    with pytest.raises(TypeError, match="must be Money"):
        require_money(bare)
    with pytest.raises(TypeError, match="must be Money"):
        require_positive(bare)


@pytest.mark.parametrize("amount", [Money(0), Money(-1)])
def test_not_positive_is_refused_with_the_callers_code(amount):
    with pytest.raises(Invalid) as refused:
        require_positive(amount)
    assert refused.value.code == "invalid_amount" and refused.value.status == 422
    with pytest.raises(Invalid) as refused:
        require_positive(amount, code="invalid_goal", message="The goal must be positive.")
    assert refused.value.code == "invalid_goal" and refused.value.detail == "The goal must be positive."


def test_bounds_and_currency():
    assert require_positive(Money(500), at_least=Money(100), at_most=Money(500)) == Money(500)
    with pytest.raises(Invalid) as refused:
        require_positive(Money(99), at_least=Money(100), small_code="amount_too_small")
    assert refused.value.code == "amount_too_small" and "¥1.00" in str(refused.value.detail)
    with pytest.raises(Invalid) as refused:
        require_positive(Money(501), at_most=Money(500), large_code="amount_too_large")
    assert refused.value.code == "amount_too_large" and "¥5.00" in str(refused.value.detail)
    with pytest.raises(Invalid) as refused:
        require_positive(Money(501), at_most=Money(500))
    assert refused.value.code == "invalid_amount"
    with pytest.raises(Invalid) as refused:
        require_positive(Money(100, "USD"), currency="CNY")
    assert refused.value.code == "currency_mismatch"


def test_currencies_the_site_holds(settings):
    settings.JUSHA_CURRENCIES = ["CNY"]
    assert require_currency("CNY") == "CNY"
    for currency in ("USD", "XYZ", None):
        with pytest.raises(Invalid) as refused:
            require_currency(currency)
        assert refused.value.code == "invalid_currency"


def test_the_api_edge_turns_minor_units_into_money(settings):
    settings.JUSHA_CURRENCIES = ["CNY"]
    assert money_in(12_345, "CNY") == Money(12_345) and money_or_none(None, "CNY") is None
    with pytest.raises(Invalid) as refused:
        money_in(100, "XYZ")
    assert refused.value.code == "invalid_currency"
    with pytest.raises(Invalid) as refused:
        money_in(1.5, "CNY")
    assert refused.value.code == "invalid_amount"


def test_a_models_integer_column_read_as_money():
    class Row:
        goal_money = money_of("goal")
        cap_money = money_of("cap")

        def __init__(self, goal, cap, currency):
            self.goal, self.cap, self.currency = goal, cap, currency

    row = Row(100_000, None, "CNY")
    assert row.goal_money == Money(100_000, "CNY") and row.cap_money is None
    assert isinstance(Row.goal_money, money_of)


def test_the_one_template_filter():
    assert money(Money(123_456)) == "¥1,234.56"
    assert money(123_456, "CNY") == "¥1,234.56" and money(500, "JPY") == "JP¥500"
    assert money(None) == "" and money(0) == "¥0.00"


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
