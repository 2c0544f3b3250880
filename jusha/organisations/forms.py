from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from jusha.organisations import uscc as uscc_rules
from jusha.organisations.models import Membership, Organisation
from jusha.organisations.services import LEGAL_FIELDS

REGION = RegexValidator(r"^\d{6}$", _("The region must be a 6-digit administrative division code."))


class OrganisationForm(forms.ModelForm):
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=60,
        required=False,
        help_text=_("Optional: letters, digits and hyphens, used in the page address. Made from the name if empty."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    region_code = forms.CharField(
        label=_("Region"),
        max_length=6,
        required=False,
        validators=[REGION],
        help_text=_("The 6-digit administrative division code (GB/T 2260) of the place where it is registered."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{6}"}),
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "slug", "legal_name", "uscc", "public_fundraising_qualified",
            "contact_email", "contact_phone", "website", "region_code", "description",
        ]
        help_texts = {
            "name": _("The name people know the organisation by."),
            "legal_name": _("The name on its registration certificate."),
            "uscc": _(
                "The 18-character unified social credit code (统一社会信用代码) on its registration certificate."
            ),
            "public_fundraising_qualified": _("Tick if the organisation holds a public fundraising qualification."),
            "description": _("Plain text: what the organisation does, for whom and where."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uscc"].widget.attrs.update({"autocapitalize": "characters", "spellcheck": "false"})
        if self.instance.pk:
            del self.fields["slug"]
            if self.instance.verification in (Organisation.Verification.SUBMITTED, Organisation.Verification.VERIFIED):
                for name in LEGAL_FIELDS:
                    self.fields[name].disabled = True

    def clean_uscc(self):
        code = uscc_rules.normalise(self.cleaned_data["uscc"])
        if not uscc_rules.is_valid(code):
            raise forms.ValidationError(
                _("This is not a valid unified social credit code: check the 18 characters.")
            )
        return code

    def validate_unique(self):
        """The service decides (and words) uniqueness, so there is one rule in one place."""


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organisation's owners see this and can correct their details."),
    )
