from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("release", _("Release")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note (required to reject)"), required=False, max_length=280)
