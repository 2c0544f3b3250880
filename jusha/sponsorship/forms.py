from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.core.forms import MoneyField
from jusha.projects.regions import region_choices_by_province
from jusha.sponsorship.models import Beneficiary, CaseStep, FollowUpCase, Report, Sponsorship

IMAGE_INPUT = {"accept": "image/jpeg,image/png,image/webp"}
TERMS = [(12, _("12 months")), (24, _("24 months")), (36, _("36 months (a whole school stage)"))]


class SponsorForm(forms.Form):
    amount = MoneyField(label=_("Each month (yuan)"), max_length=20, initial="300")
    months = forms.TypedChoiceField(label=_("For"), choices=TERMS, coerce=int, initial=36)
    purpose = forms.ChoiceField(label=_("The money is for"), choices=Sponsorship.Purpose.choices, initial=Sponsorship.Purpose.BOTH)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class RenewForm(forms.Form):
    months = forms.TypedChoiceField(label=_("For"), choices=TERMS, coerce=int, initial=12)


class ProgrammeForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project the sponsors' gifts are paid to"), queryset=None)
    sponsors_per_beneficiary = forms.IntegerField(
        label=_("Sponsors per student"), min_value=1, max_value=5, initial=1,
        help_text=_("1 for one-to-one; up to 5 for a small group sharing one student."))
    report_every_days = forms.IntegerField(label=_("A report every (days)"), min_value=14, max_value=366, initial=90)
    lost_contact_after_days = forms.IntegerField(
        label=_("Follow up when a report is this many days late"), min_value=7, max_value=180, initial=30)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = organisation.projects.exclude(status__in=["cancelled", "completed"])


class BeneficiaryForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name (private)"), max_length=80)
    guardian_name = forms.CharField(label=_("Guardian (private)"), max_length=80)
    guardian_consent_on = forms.DateField(label=_("Guardian consented on"), widget=forms.DateInput(attrs={"type": "date"}))
    guardian_consent_note = forms.CharField(label=_("How consent was given (private)"), max_length=280, required=False)
    photo_consent = forms.BooleanField(label=_("The guardian consents to photos for the sponsor (never public)"), required=False)
    alias = forms.CharField(label=_("Alias (public)"), max_length=40, help_text=_("Never the real name."))
    birth_year = forms.IntegerField(label=_("Year of birth (public only as an age band)"), min_value=1990, max_value=2030)
    region_code = forms.ChoiceField(label=_("County (public only as the province)"), choices=region_choices_by_province)
    stage = forms.ChoiceField(label=_("School stage"), choices=Beneficiary.Stage.choices)
    need = forms.CharField(label=_("Need (public)"), max_length=280, widget=forms.Textarea(attrs={"rows": 2}))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("The organisation reads every message before passing it on. Please leave out phone numbers, "
                                       "WeChat or QQ ids and addresses: messages holding them are not sent."))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("The student's letter, as written"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Report.Kind.choices)
    grades = forms.CharField(label=_("Grades"), max_length=500, required=False)
    letter = forms.CharField(label=_("Letter from the student"), max_length=4000, required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.FileField(label=_("Photo (only with consent; location and camera data are removed)"), required=False,
                            widget=forms.ClearableFileInput(attrs=IMAGE_INPUT))


class ModerateForm(forms.Form):
    relay = forms.TypedChoiceField(choices=[("1", _("Pass on")), ("0", _("Do not pass on"))], coerce=lambda v: v == "1")
    note = forms.CharField(label=_("Note to the sponsor (if not passed on)"), max_length=280, required=False)


class DisburseForm(forms.Form):
    payee = forms.ChoiceField(label=_("Paid to"), choices=[("school", _("The school")), ("guardian", _("The guardian"))])
    amount = MoneyField(label=_("Amount (yuan)"), max_length=20)
    description = forms.CharField(label=_("What it pays for"), max_length=280)
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    voucher = forms.FileField(label=_("Voucher (receipt or invoice: JPEG, PNG, WebP or PDF)"))

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was done"), choices=CaseStep.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpCase.Outcome.choices)
    note = forms.CharField(label=_("What the sponsor is told"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(forms.Form):
    partner = forms.CharField(label=_("Partner organisation (its address name, e.g. sichuan-care)"), max_length=80)


class ChoiceForm(forms.Form):
    choice = forms.ChoiceField(choices=FollowUpCase.Choice.choices)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome of the term"), choices=[
        (Sponsorship.Outcome.GRADUATED, _("Graduated")), (Sponsorship.Outcome.CHANGED_PLAN, _("Changed plan")),
        (Sponsorship.Outcome.RENEWED, _("Continuing: the sponsor may renew")),
    ])
    note = forms.CharField(label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
