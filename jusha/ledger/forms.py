from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.core.forms import MoneyField


class ExpenditureForm(forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=None)
    amount = MoneyField(label=_("Amount (yuan)"), max_length=20)
    description = forms.CharField(label=_("What was bought or paid for"), max_length=280)
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    voucher = forms.FileField(label=_("Voucher (invoice or receipt: JPEG, PNG, WebP or PDF)"))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["budget_line"].queryset = project.budget_lines.all()
        self.fields["amount"].currency = project.currency
