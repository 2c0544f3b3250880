from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jusha.core.money import Money, MoneyError


def _yuan(amount: int) -> str:
    return Money(amount, settings.JUSHA_DEFAULT_CURRENCY).display()


class DonationForm(forms.Form):
    preset = forms.ChoiceField(label=_("Amount"), required=False, widget=forms.RadioSelect)
    custom = forms.CharField(label=_("Or another amount (yuan)"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    name = forms.CharField(label=_("Name shown on the donors' wall (optional)"), required=False, max_length=40)
    anonymous = forms.BooleanField(label=_("Give anonymously"), required=False)
    email = forms.EmailField(label=_("Email for the receipt (optional)"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["preset"].choices = [(str(a), _yuan(a)) for a in settings.JUSHA_GIFT_PRESETS]

    def clean(self):
        data = super().clean()
        custom = (data.get("custom") or "").strip()
        if custom:
            try:
                data["amount"] = Money.parse(custom, self.currency)
            except MoneyError:
                self.add_error("custom", _("Enter an amount in yuan, such as 50 or 12.50 (at most two decimals)."))
        elif data.get("preset"):
            data["amount"] = Money(int(data["preset"]), self.currency)
        else:
            self.add_error("preset", _("Choose an amount or type one."))
        return data


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount to refund (yuan)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self):
        try:
            return Money.parse(self.cleaned_data["amount"], self.currency)
        except MoneyError as exc:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 50 or 12.50.")) from exc
