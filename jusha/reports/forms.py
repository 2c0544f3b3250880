from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.reports.models import Report


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked by the
    service through core.uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason for the report.")},
    )
    details = forms.CharField(
        label=_("Details"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you saw, when, and where: the organisation will read this, never who you are."),
    )
    evidence = MultipleFileField(
        label=_("Evidence (optional)"), required=False,
        help_text=_("Up to 5 images (JPEG, PNG, WebP) or PDF files, 8 MB each. Only platform staff see them."),
    )
    contact = forms.CharField(
        label=_("Your contact (optional)"), required=False, max_length=200,
        help_text=_("If staff may need to ask you more. Only platform staff see it."),
    )
    website = forms.CharField(label=_("Leave this empty"), required=False)  # the honeypot

    def __init__(self, *args, reasons=None, content=False, **kwargs):
        """`reasons`: the ones the reported kind accepts (a post is not a fraud); `content`: a
        member's post or page (no organisation reads the report)."""
        super().__init__(*args, **kwargs)
        if reasons is not None:
            self.fields["reason"].choices = [(v, label) for v, label in Report.Reason.choices if v in reasons]
        if content:
            self.fields["details"].help_text = _("What is wrong with it. Only platform staff read this.")


class DecideForm(forms.Form):
    target = forms.ChoiceField(choices=[(s, s) for s in ("investigating", "upheld", "dismissed")])
    outcome = forms.CharField(required=False, max_length=2000)
    suspend = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    note = forms.CharField(max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
