from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.core.money import Money, MoneyError


class ExpenditureForm(forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=None)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    description = forms.CharField(label=_("What was bought or paid for"), max_length=280)
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    voucher = forms.FileField(label=_("Voucher (invoice or receipt: JPEG, PNG, WebP or PDF)"))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["budget_line"].queryset = project.budget_lines.all()

    def clean_amount(self):
        try:
            amount = Money.parse(self.cleaned_data["amount"], self.project.currency).amount
        except MoneyError as exc:
            raise forms.ValidationError(_("Enter an amount in yuan, such as 1200 or 35.50.")) from exc
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return amount
