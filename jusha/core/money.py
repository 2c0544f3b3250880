"""Money: an integer number of minor units with a currency. Never a float.

Parsing from what people type ("200", "12.5", "0.01") goes through Decimal exactly once,
and anything that is not an exact number of minor units is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies the platform can hold.
EXPONENTS = {"CNY": 2, "HKD": 2, "TWD": 2, "MOP": 2, "USD": 2, "EUR": 2, "JPY": 0}
SYMBOLS = {"CNY": "¥", "HKD": "HK$", "TWD": "NT$", "MOP": "MOP$", "USD": "$", "EUR": "€", "JPY": "JP¥"}

_NUMBER = re.compile(r"^\d{1,15}(\.\d{1,6})?$")


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

    def major(self) -> str:
        """The amount in major units as an exact decimal string: 12345 -> "123.45"."""
        exp = EXPONENTS[self.currency]
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**exp) if exp else (abs(self.amount), 0)
        return f"{sign}{whole}" + (f".{frac:0{exp}d}" if exp else "")

    def display(self) -> str:
        exp = EXPONENTS[self.currency]
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**exp) if exp else (abs(self.amount), 0)
        text = f"{whole:,}" + (f".{frac:0{exp}d}" if exp else "")
        return f"{sign}{SYMBOLS.get(self.currency, self.currency + ' ')}{text}"

    def __str__(self) -> str:
        return self.display()


def money_in(amount, currency: str) -> Money:
    """An amount and currency as a request gave them, as Money; a refusal a caller can read
    (Invalid, 422) when either is not money."""
    from django.utils.translation import gettext as _

    from jusha.core.errors import Invalid

    try:
        check_currency(currency)
    except MoneyError as exc:
        raise Invalid(_("Unknown or unsupported currency."), code="invalid_currency") from exc
    try:
        return Money(amount, currency)
    except MoneyError as exc:
        raise Invalid(_("The amount must be a positive whole number of fen (1 yuan = 100)."), code="invalid_amount") from exc


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
