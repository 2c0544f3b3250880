from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.missing.models import Case, Sighting, Site
from jusha.projects.regions import region_choices


class CaseForm(forms.ModelForm):
    photo = forms.FileField(label=_("Photo"), required=False)
    source_url = forms.URLField(label=_("Source URL"), required=False, assume_scheme="https")

    class Meta:
        model = Case
        fields = ["ref", "name", "sex", "birth_date", "lost_at", "region_code", "lost_place", "features", "hotline",
                  "source_url", "expires_on", "consent_by", "consent_recorded_by", "family_contact",
                  "reporter_contact", "notes"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "lost_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "region_code": forms.Select(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].widget.choices = [("", "—"), *region_choices()]


class SiteForm(forms.Form):
    domain = forms.CharField(label=_("Domain"), max_length=253)
    region_code = forms.ChoiceField(label=_("Default region"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Site.Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", "—"), *region_choices()]


class SightingForm(forms.Form):
    place = forms.CharField(label=_("Where did you see the child?"), max_length=200)
    seen_at = forms.DateTimeField(label=_("When?"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    description = forms.CharField(label=_("What did you see?"), max_length=2000, widget=forms.Textarea)
    contact = forms.CharField(label=_("Your contact (optional, only for the organisation)"), max_length=200,
                              required=False)
    photo = forms.FileField(label=_("Photo (optional)"), required=False)
    website = forms.CharField(label=_("Leave this empty"), required=False)  # the honeypot
    started = forms.CharField(widget=forms.HiddenInput, required=False)


class SightingStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Sighting.Status.choices)


class FeedForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    fmt = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("json", "JSON")])
    url = forms.URLField(label=_("Feed URL (for scheduled re-sync, optional)"), required=False, assume_scheme="https")
    every_hours = forms.IntegerField(label=_("Re-sync every (hours)"), min_value=1, max_value=24 * 30, initial=24)
    full = forms.BooleanField(label=_("A full feed: a case absent from it is withdrawn"), required=False)
    hotline = forms.CharField(label=_("Contact hotline"), max_length=40)
    consent_by = forms.ChoiceField(label=_("Consent given by"), choices=Case.ConsentBy.choices)
    consent_recorded_by = forms.CharField(label=_("Consent recorded by"), max_length=80)
    mapping = forms.JSONField(label=_("Field mapping (JSON: our field → your column)"), required=False,
                              initial=dict)


class FeedUploadForm(forms.Form):
    file = forms.FileField(label=_("Feed file (CSV or JSON)"))
