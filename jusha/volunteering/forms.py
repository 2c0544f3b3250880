from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jusha.projects.models import Cause
from jusha.projects.regions import region_choices_by_province
from jusha.volunteering.models import Activity

IMAGE_INPUT = {"accept": "image/jpeg,image/png,image/webp"}
LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProfileForm(forms.Form):
    skills = forms.CharField(label=_("Skills"), required=False, max_length=400,
                             help_text=_("Separated by commas, e.g. 陪伴老人, 翻译, 摄影"))
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200, help_text=_("Separated by commas"))
    region_code = forms.ChoiceField(label=_("Region"), required=False,
                                    choices=lambda: [("", "—"), *region_choices_by_province()])
    availability = forms.CharField(label=_("When you are free"), required=False, max_length=200)
    birth_year = forms.IntegerField(label=_("Birth year (private: to check minimum ages)"), required=False)
    emergency_contact = forms.CharField(label=_("Emergency contact (private)"), required=False, max_length=120)
    pledge_hours = forms.IntegerField(label=_("My pledge: hours a year"), min_value=1, max_value=100, initial=3)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    region_code = forms.ChoiceField(label=_("Region"), choices=lambda: region_choices_by_province())
    place = forms.CharField(label=_("Place"), required=False, max_length=120)
    skills_wanted = forms.CharField(label=_("Skills wanted"), required=False, max_length=400,
                                    help_text=_("Separated by commas"))
    safety_briefing = forms.CharField(label=_("Safety briefing"), required=False, max_length=5000,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    minimum_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=80, initial=0)
    starts_at = forms.DateTimeField(label=_("First shift starts"), widget=LOCAL)
    ends_at = forms.DateTimeField(label=_("First shift ends"), widget=LOCAL)
    capacity = forms.IntegerField(label=_("Places per shift"), min_value=1, max_value=100_000, initial=10)
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Activity.Recurrence.choices)
    repeat = forms.IntegerField(label=_("Weeks (for a weekly activity)"), min_value=1, max_value=52, initial=1)
    cancel_deadline_hours = forms.IntegerField(label=_("Volunteers may cancel up to (hours before)"),
                                               min_value=0, max_value=336, initial=24)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (volunteers are told)"), max_length=200)


class ConfirmHoursForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1)


class ReportForm(forms.Form):
    activity = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.IntegerField(label=_("Minutes served"), min_value=1, max_value=720)
    served_on = forms.DateField(label=_("Day served"), widget=forms.DateInput(attrs={"type": "date"}),
                                initial=timezone.localdate)
    note = forms.CharField(label=_("What you did (evidence)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo (evidence, private)"), required=False, widget=forms.ClearableFileInput(attrs=IMAGE_INPUT))


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong"), max_length=300)


class GuardianForm(forms.Form):
    email = forms.EmailField(label=_("The minor's account email"))
    guardian_name = forms.CharField(label=_("Guardian"), max_length=60)


class AssignForm(forms.Form):
    project = forms.SlugField(label=_("Project (slug)"))
    batch = forms.IntegerField(label=_("Batch number"), min_value=1)
    email = forms.EmailField(label=_("Volunteer's account email"))
    deliverer_name = forms.CharField(label=_("Name on delivery confirmations"), max_length=60, required=False)
    minutes_per_delivery = forms.IntegerField(label=_("Minutes per delivery"), min_value=1, max_value=480, initial=30)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class ProposalForm(forms.Form):
    organisation = forms.SlugField(label=_("Organisation (slug)"))
    title = forms.CharField(label=_("Title"), max_length=80)
    note = forms.CharField(label=_("What the group proposes"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
