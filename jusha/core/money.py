"""Money: an integer number of minor units with a currency. Never a float.

Parsing from what people type ("200", "12.5", "0.01") goes through Decimal exactly once,
and anything that is not an exact number of minor units is refused.

Services take and return Money; the edges convert: forms parse what people type
(`jusha.core.forms.MoneyField`), API schemas take integers of minor units beside a currency
(`money_in`), templates show it with the one `money` filter (`jusha.core.templatetags.money_tags`).
The checks a service makes of an amount it was given live here once: `require_money` (a
bare number is a programming error) and `require_positive` (a domain refusal, `Invalid`).
Database columns stay integers beside a currency column; `money_of` reads such a pair
as Money on a model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from jusha.core.errors import Invalid

# ISO 4217 minor-unit exponents for the currencies the platform can hold.
EXPONENTS = {"CNY": 2, "HKD": 2, "TWD": 2, "MOP": 2, "USD": 2, "EUR": 2, "JPY": 0}
SYMBOLS = {"CNY": "¥", "HKD": "HK$", "TWD": "NT$", "MOP": "MOP$", "USD": "$", "EUR": "€", "JPY": "JP¥"}

_NUMBER = re.compile(r"^\d{1,15}(\.\d{1,6})?$")

# What people type around an amount, taken off before it is read: a currency sign (¥, the
# full-width ￥, "RMB", "CNY") before it, "元" after it, spaces anywhere.
_AFFIXES = re.compile(r"^(?:¥|RMB|CNY)?\s*(.*?)\s*(?:元|块|圆)?$", re.IGNORECASE)
# Digits with optional thousands separators in the usual places ("1,000" or "1000", not
# "1,00"), and optional decimals.
GROUPED = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def typed_amount(text: str) -> str:
    """What someone typed as an amount, in plain ASCII: full-width digits and signs made
    narrow (NFKC: "１，０００" → "1,000", "￥" → "¥"), the ideographic comma and full stop read
    as a separator and a point, the currency sign, "元" and spaces taken off. No check of
    what is left: MoneyField does that."""
    text = unicodedata.normalize("NFKC", str(text)).replace("、", ",").replace("。", ".").strip()
    text = _AFFIXES.match(text).group(1)
    return re.sub(r"\s+", "", text)


class MoneyError(ValueError):
    """A value that is not an exact amount of money in a known currency."""


def check_currency(currency: str) -> str:
    if not isinstance(currency, str) or currency not in EXPONENTS:
        raise MoneyError(f"unknown currency: {currency!r}")
    return currency


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units (fen for CNY)
    currency: str = "CNY"

    def __post_init__(self):
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise MoneyError("money amounts are integers of minor units")
        check_currency(self.currency)

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        return cls(0, currency)

    @classmethod
    def whole(cls, units: int, currency: str = "CNY") -> Money:
        """A whole number of major units: Money.whole(200) == Money(20000) (200 yuan)."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise MoneyError("whole major units are integers")
        return cls(units * 10 ** EXPONENTS[check_currency(currency)], currency)

    @classmethod
    def parse(cls, text: str, currency: str = "CNY") -> Money:
        """Parse a major-unit string such as "200" or "12.50" exactly."""
        check_currency(currency)
        text = (text or "").strip().replace(",", "")
        if not _NUMBER.match(text):
            raise MoneyError("not a plain positive number")
        try:
            value = Decimal(text) * (10 ** EXPONENTS[currency])
        except InvalidOperation as exc:  # pragma: no cover - regex already guards
            raise MoneyError("not a number") from exc
        if value != value.to_integral_value():
            raise MoneyError("more decimal places than the currency has")
        return cls(int(value), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def times(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("multiply money by whole numbers only")
        return Money(self.amount * factor, self.currency)

    def whole_units(self) -> int:
        """The whole major units in it, rounded down: Money(123456).whole_units() == 1234."""
        return self.amount // 10 ** EXPONENTS[self.currency]

    def major(self) -> str:
        """The amount in major units as an exact decimal string: 12345 -> "123.45"."""
        exp = EXPONENTS[self.currency]
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**exp) if exp else (abs(self.amount), 0)
        return f"{sign}{whole}" + (f".{frac:0{exp}d}" if exp else "")

    def display(self, *, short: bool = False) -> str:
        """For people: 123456 CNY -> "¥1,234.56". `short` leaves out a fraction of zero
        ("¥100" rather than "¥100.00"), for round figures such as the bounds of a band."""
        exp = EXPONENTS[self.currency]
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**exp) if exp else (abs(self.amount), 0)
        text = f"{whole:,}" + (f".{frac:0{exp}d}" if exp and not (short and frac == 0) else "")
        return f"{sign}{SYMBOLS.get(self.currency, self.currency + ' ')}{text}"

    def __str__(self) -> str:
        return self.display()


def require_money(value, *, name: str = "amount", currency: str | None = None) -> Money:
    """A service's amount argument is Money: a bare number (fen? yuan?) is a programming
    error, refused with TypeError. With `currency`, it must be in that currency (the
    project's, the pool's): else Invalid "currency_mismatch"."""
    if not isinstance(value, Money):
        raise TypeError(f"{name} must be Money, not {type(value).__name__}: convert at the edge")
    if currency is not None and value.currency != currency:
        raise Invalid(
            _("Amounts here are in %(currency)s.") % {"currency": currency}, code="currency_mismatch",
            extra={"currency": currency},
        )
    return value


def require_positive(
    value, *, name: str = "amount", currency: str | None = None, code: str = "invalid_amount", message=None,
    at_least: Money | None = None, small_code: str | None = None, small_message=None,
    at_most: Money | None = None, large_code: str | None = None, large_message=None,
) -> Money:
    """The one check of an amount a service was given, before it decides anything with it:
    Money (else TypeError, see `require_money`), in `currency` when given, more than zero
    (else Invalid `code`), no less than `at_least` and no more than `at_most` when given
    (else Invalid `small_code` / `large_code`, which default to `code`). The messages
    default to plain ones; a service names its own field in them where that reads better."""
    value = require_money(value, name=name, currency=currency)
    if value.amount <= 0:
        raise Invalid(message or _("The amount must be more than zero."), code=code)
    if at_least is not None and value < at_least:
        raise Invalid(
            small_message or _("The amount must be at least %(minimum)s.") % {"minimum": at_least.display()},
            code=small_code or code,
        )
    if at_most is not None and value > at_most:
        raise Invalid(
            large_message or _("The amount must be at most %(maximum)s.") % {"maximum": at_most.display()},
            code=large_code or code,
        )
    return value


def require_currency(currency) -> str:
    """A currency this site holds money in (settings.JUSHA_CURRENCIES), else Invalid
    "invalid_currency"."""
    if not isinstance(currency, str) or currency not in EXPONENTS or currency not in settings.JUSHA_CURRENCIES:
        raise Invalid(_("Unknown or unsupported currency."), code="invalid_currency")
    return currency


def money_in(amount, currency: str) -> Money:
    """At the API's edge: an integer of minor units beside a currency code, as Money. A
    currency the site does not hold is refused (Invalid "invalid_currency"), as is an
    amount that is not a whole number (Invalid "invalid_amount")."""
    require_currency(currency)
    try:
        return Money(amount, currency)
    except MoneyError as exc:
        raise Invalid(_("Amounts are whole numbers of minor units (fen)."), code="invalid_amount") from exc


def money_or_none(amount, currency: str) -> Money | None:
    """`money_in` for an optional amount (a cap left out stays None)."""
    return None if amount is None else money_in(amount, currency)


class money_of:  # noqa: N801 - used like @property
    """A model's integer minor-units field read as Money with the model's currency field:
    `goal_money = money_of("goal")` gives `project.goal_money == Money(project.goal,
    project.currency)` (None while the field is None). The column stays an integer."""

    def __init__(self, field: str, currency: str = "currency"):
        self.field, self.currency = field, currency

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.field)
        return None if value is None else Money(value, getattr(instance, self.currency))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` minor units in proportion to `weights`, exactly (largest remainder).

    The parts always sum to `total`; ties go to the earlier weight.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise MoneyError("allocate takes non-negative values")
    wsum = sum(weights)
    if wsum == 0:
        return [0] * len(weights)
    parts = [total * w // wsum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % wsum), i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts
