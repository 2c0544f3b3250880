from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.core.forms import MoneyField


class PledgeForm(forms.Form):
    amount = MoneyField(label=_("Amount each month (yuan)"), max_length=20)
    day = forms.TypedChoiceField(label=_("Day of the month"), coerce=int, choices=[(d, d) for d in range(1, 29)])
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class AmountForm(forms.Form):
    amount = MoneyField(label=_("New amount each month (yuan)"), max_length=20)
