"""Form fields every app's forms share: the edge where what people type becomes Money."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jusha.core.money import EXPONENTS, GROUPED, Money, MoneyError, typed_amount

MAX_TYPED_MAJOR = 100_000_000  # no amount typed into a form is more than 100 million yuan


class MoneyField(forms.CharField):
    """An amount typed in major units ("200", "12.50", "1,000", with a currency sign, full-width
    digits or 元: money.typed_amount), cleaned to Money in the
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
        if not GROUPED.match(text):
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
