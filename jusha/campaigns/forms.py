from django import forms
from django.utils.translation import gettext_lazy as _


class ApplicationForm(forms.Form):
    project = forms.ChoiceField(label=_("Project"))
    pitch = forms.CharField(label=_("Why this project (optional)"), required=False, max_length=280,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.slug, f"{p.title} · {p.organisation.name}") for p in projects]


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=[(t, t) for t in ("accepted", "rejected", "withdrawn", "applied")])
    reason = forms.CharField(required=False, max_length=280)
