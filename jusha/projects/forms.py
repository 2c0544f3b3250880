from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jusha.core.forms import MoneyField
from jusha.core.money import Money
from jusha.projects import states
from jusha.projects.contributions import list_options
from jusha.projects.models import Cause, Project
from jusha.projects.regions import area_choices_by_province, is_valid_region, region_choices_by_province
from jusha.projects.services import MAX_BENEFICIARIES, MAX_BUDGET_LINES, MAX_GOAL_MAJOR, MAX_PHOTOS


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several image files; their content is checked by the service (type-sniffed)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos per update.") % {"n": MAX_PHOTOS})
        single_clean = super().clean
        return [single_clean(f, initial) for f in files]


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(
        label=_("Summary"), max_length=280, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown on the project card."),
    )
    story = forms.CharField(
        label=_("Story"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Paragraphs, headings, lists, tables and links are kept; anything else is removed."),
    )
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    region_code = forms.ChoiceField(label=_("Region"), choices=region_choices_by_province)
    goal = MoneyField(label=_("Goal (yuan)"), max_major=MAX_GOAL_MAJOR, help_text=_("The budget lines below must add up to exactly this."))
    ends_at = forms.DateTimeField(
        label=_("Fundraising ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    beneficiary_count = forms.IntegerField(
        label=_("Number of beneficiaries"), min_value=0, max_value=MAX_BENEFICIARIES, initial=0
    )
    unit_name = forms.CharField(
        label=_("Unit"), max_length=40, required=False, help_text=_("What one unit of help is, e.g. “warm pack”.")
    )
    unit_cost = MoneyField(label=_("Cost of one unit (yuan)"), max_major=MAX_GOAL_MAJOR, required=False)
    shortfall_rule = forms.ChoiceField(
        label=_("If the goal is not reached by the end date"), choices=Project.ShortfallRule.choices,
        widget=forms.RadioSelect, initial=Project.ShortfallRule.PROPORTIONAL,
    )
    overflow_rule = forms.ChoiceField(
        label=_("Gifts that arrive after the goal is reached"), choices=Project.OverflowRule.choices,
        widget=forms.RadioSelect, initial=Project.OverflowRule.REFUND,
    )
    cover = forms.FileField(
        label=_("Cover image"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP. Location and camera data are removed."),
    )

    @classmethod
    def initial_for(cls, project: Project) -> dict:
        return {
            "title": project.title, "summary": project.summary, "story": project.story, "cause": project.cause,
            "region_code": project.region_code, "goal": project.goal_money,
            "ends_at": timezone.localtime(project.ends_at), "beneficiary_count": project.beneficiary_count,
            "unit_name": project.unit_name, "unit_cost": project.unit_cost_money,
            "shortfall_rule": project.shortfall_rule, "overflow_rule": project.overflow_rule,
        }

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["summary"] = data["summary"] or ""
        data["cover"] = data["cover"] or None
        return data


class BudgetLineForm(forms.Form):
    title = forms.CharField(label=_("Budget line"), max_length=120)
    amount = MoneyField(label=_("Amount (yuan)"), max_major=MAX_GOAL_MAJOR)


class BaseBudgetFormSet(forms.BaseFormSet):
    def lines(self) -> list[tuple[str, Money]]:
        return [(d["title"], d["amount"]) for d in self.cleaned_data if d and not d.get("DELETE")]


BudgetFormSet = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetFormSet, extra=3, can_delete=True,
    min_num=1, validate_min=True, max_num=MAX_BUDGET_LINES, validate_max=True,
)


class UpdateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("What has happened"), widget=forms.Textarea(attrs={"rows": 8}))
    photos = MultipleImageField(label=_("Photos"), required=False, help_text=_("Up to 9 photos."))


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=Project.Status.choices)
    reason = forms.CharField(required=False, max_length=2000)
    final_report = forms.CharField(required=False, max_length=50_000)


class RegionFilterField(forms.ChoiceField):
    """Lists provinces and prefectures (the full table is too long for a page that every
    visitor loads); accepts any known division, such as a county from a link."""

    def valid_value(self, value):
        return is_valid_region(value) or super().valid_value(value)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[("", _("All causes")), *Cause.choices])
    region = RegionFilterField(
        label=_("Region"), required=False, choices=lambda: [("", _("All regions")), *area_choices_by_province()]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), *[(s, Project.Status(s).label) for s in states.PUBLIC]],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = [
            option for result in list_options.collect()
            for option in (result if isinstance(result, list) else [result] if result else [])
        ]
        for option in self.options:
            self.fields[option.name] = forms.ChoiceField(label=option.label, required=False, choices=option.choices)

    def filters(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "cause", "region", "status")}

    def apply_options(self, projects):
        """The filters and orders other apps add (contributions.list_options)."""
        self.is_valid()
        for option in self.options:
            value = self.cleaned_data.get(option.name) or ""
            if value:
                projects = option.apply(projects, value)
        return projects
