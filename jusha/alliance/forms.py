from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.alliance.rules import EVENTS

EVENT_LABELS = {
    "donation.paid": _("A gift was paid"),
    "donation.refunded": _("A gift was refunded"),
    "project.updated": _("A project's progress update or content"),
    "project.status_changed": _("A project's status changed"),
    "batch.delivered": _("A delivery batch was delivered"),
    "expenditure.recorded": _("An expenditure was recorded"),
    "missing.case_found": _("A missing person was found"),
}


class EndpointForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, required=False, label=_("Organisation"))
    url = forms.URLField(label=_("Endpoint address (https://)"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=[(e, EVENT_LABELS[e]) for e in EVENTS], widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Note for yourself"), max_length=120, required=False)

    def __init__(self, *args, organisations, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = _("Every organisation (platform staff)") if staff else None
        self.fields["organisation"].required = not staff
