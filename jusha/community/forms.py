from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.community import rules
from jusha.core.forms import MoneyField
from jusha.projects.regions import region_choices


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=rules.NAME_MAX)
    goal = MoneyField(label=_("Team goal (yuan)"), max_length=20)
    story = forms.CharField(label=_("Why we give together (optional)"), required=False, max_length=rules.STORY_HTML_MAX,
                            widget=forms.Textarea(attrs={"rows": 6}))
    cover = forms.ImageField(label=_("Cover photo (optional)"), required=False)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].currency = currency


class TextForm(forms.Form):
    body = forms.CharField(label=_("Text"), max_length=rules.STORY_HTML_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=rules.COMMENT_MAX)


class GatheringForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=80)
    place = forms.CharField(label=_("Place"), max_length=120)
    region = forms.ChoiceField(label=_("County (GB/T 2260, optional)"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    capacity = forms.IntegerField(label=_("How many people can come"), min_value=1, max_value=10_000)
    description = forms.CharField(label=_("What we will do (optional)"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + region_choices()
