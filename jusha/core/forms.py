"""Form fields every app's forms share: the edge where what people type becomes Money."""

import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jusha.core.money import EXPONENTS, Money, MoneyError

MAX_TYPED_MAJOR = 100_000_000  # no amount typed into a form is more than 100 million yuan


# What people type around an amount, taken off before it is read: a currency sign (¥, the
# full-width ￥, "RMB", "CNY") before it, "元" after it, spaces anywhere.
_AFFIXES = re.compile(r"^(?:¥|RMB|CNY)?\s*(.*?)\s*(?:元|块|圆)?$", re.IGNORECASE)
# Digits with optional thousands separators in the usual places ("1,000" or "1000", not
# "1,00"), and optional decimals.
_GROUPED = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def typed_amount(text: str) -> str:
    """What someone typed as an amount, in plain ASCII: full-width digits and signs made
    narrow (NFKC: "１，０００" → "1,000", "￥" → "¥"), the ideographic comma and full stop read
    as a separator and a point, the currency sign, "元" and spaces taken off. No check of
    what is left: MoneyField does that."""
    text = unicodedata.normalize("NFKC", str(text)).replace("、", ",").replace("。", ".").strip()
    text = _AFFIXES.match(text).group(1)
    return re.sub(r"\s+", "", text)


class MoneyField(forms.CharField):
    """An amount typed in major units ("200", "12.50", "1,000", "¥200", "２００元"), cleaned to Money in the
    field's currency (set it per form, e.g. to the project's). Only positive amounts, up
    to `max_major` major units (yuan); the service checks again, this is the friendly word."""

    default_error_messages = {
        "invalid": _("Enter an amount in yuan, such as 200 or 12.50."),
        "decimals": _("Use at most two decimal places (fen)."),
        "zero": _("The amount must be more than zero."),
        "huge": _("The amount is larger than %(maximum)s."),
    }

    def __init__(self, *, currency: str | None = None, max_major: int = MAX_TYPED_MAJOR, **kwargs):
        self.currency, self.max_major = currency or settings.JUSHA_DEFAULT_CURRENCY, max_major
        attrs = {"inputmode": "decimal", "autocomplete": "off"}
        if max_length := kwargs.pop("max_length", None):  # of what is typed: the clean value is Money
            attrs["maxlength"] = str(max_length)
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value) -> Money | None:
        text = typed_amount(super().to_python(value) or "")
        if text in self.empty_values:
            return None
        if not _GROUPED.match(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        text = text.replace(",", "")
        if "." in text and len(text.split(".", 1)[1]) > EXPONENTS[self.currency]:
            raise forms.ValidationError(self.error_messages["decimals"], code="decimals")
        try:
            amount = Money.parse(text, self.currency)
        except MoneyError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if amount.amount <= 0:
            raise forms.ValidationError(self.error_messages["zero"], code="zero")
        maximum = Money(self.max_major * 10 ** EXPONENTS[self.currency], self.currency)
        if amount > maximum:
            raise forms.ValidationError(
                self.error_messages["huge"], code="huge", params={"maximum": maximum.display(short=True)}
            )
        return amount

    def prepare_value(self, value):
        """What the input shows: Money (or an int of minor units) in major units."""
        if isinstance(value, Money):
            return value.major()
        if isinstance(value, int) and not isinstance(value, bool):
            return Money(value, self.currency).major()
        return value
