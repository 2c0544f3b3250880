from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jusha.projects.regions import region_choices_by_province

IMAGE_INPUT = {"accept": "image/jpeg,image/png,image/webp"}


class PlanForm(forms.Form):
    batch_size = forms.IntegerField(
        label=_("Units per batch"), min_value=1,
        help_text=_(
            "As soon as the project holds the cost of this many units, a batch is created and its money set aside."
        ),
    )


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)


class DiscloseForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note (public)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the delivery went, in a few words. After this, nothing more can be added to the batch."),
    )


class ConfirmForm(forms.Form):
    recipient = forms.CharField(
        label=_("Recipient pseudonym"), max_length=40,
        help_text=_("Shown in public: a pseudonym such as “Elder 07”, never a name, phone or ID number."),
    )
    county_code = forms.ChoiceField(label=_("County"), choices=region_choices_by_province)
    delivered_at = forms.DateTimeField(
        label=_("Delivered at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    deliverer = forms.CharField(label=_("Delivered by (not public)"), max_length=60)
    signature = forms.FileField(
        label=_("Signature or thumbprint (never public)"), widget=forms.ClearableFileInput(attrs=IMAGE_INPUT)
    )
    photo = forms.FileField(
        label=_("Photo (public, optional)"), required=False, widget=forms.ClearableFileInput(attrs=IMAGE_INPUT),
        help_text=_("Location and camera data are removed."),
    )
    photo_consent = forms.BooleanField(
        label=_("The recipient agreed to the photo being shown in public"), required=False
    )
    others_consented = forms.BooleanField(
        label=_("Everyone else in the photo agreed, or is blurred or cropped out"), required=False
    )

    @classmethod
    def initial_for(cls, project) -> dict:
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"county_code": project.region_code, "delivered_at": now}
