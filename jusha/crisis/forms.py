from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.crisis.models import Case, ContactAttempt, Responder


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactAttempt.Channel.choices)
    note = forms.CharField(label=_("Note (no names or numbers)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Case.Outcome.choices)
    corrected_level = forms.IntegerField(label=_("Corrected level (0–10, optional)"), min_value=0, max_value=10, required=False)


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    keep_for_research = forms.BooleanField(label=_("Keep de-identified text and corrected levels after purge"), required=False)


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("Member's e-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Responder.Role.choices)
