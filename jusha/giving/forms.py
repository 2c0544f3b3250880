from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jusha.core.forms import MoneyField
from jusha.core.money import Money
from jusha.payments.providers import enabled_providers


PROVIDER_LABELS = {
    "alipay": _("Alipay"),
    "wechatpay": _("WeChat Pay"),
    "stripe": _("Card from abroad (Stripe)"),
    "sandbox": _("Sandbox (no real money)"),
}


def _yuan(amount: int, currency: str) -> str:
    return Money(amount, currency).display()


class DonationForm(forms.Form):
    preset = forms.ChoiceField(label=_("Amount"), required=False, widget=forms.RadioSelect)
    custom = MoneyField(label=_("Or another amount (yuan)"), required=False, max_length=20)
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    show_message = forms.BooleanField(label=_("Show my message on the project page"), required=False)
    name = forms.CharField(label=_("Name shown on the donors' wall (optional)"), required=False, max_length=40)
    anonymous = forms.BooleanField(label=_("Give anonymously"), required=False)
    email = forms.EmailField(label=_("Email for the receipt (optional)"), required=False)
    provider = forms.ChoiceField(label=_("Pay with"), required=False, widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)
    # A team's slug (一起捐) when the gift is given through a team's page: it counts toward it.
    team = forms.SlugField(required=False, max_length=64, widget=forms.HiddenInput)
    # Set once the donor has seen the question about a gift far above the project's gap.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Set once the donor has seen the pause screen (冷静一下) and chose to go on.
    cooled = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["custom"].currency = currency
        self.fields["preset"].choices = [(str(a), _yuan(a, currency)) for a in settings.JUSHA_GIFT_PRESETS]
        # Only the providers configured on this site; the first is chosen unless the donor picks.
        offered = enabled_providers()
        self.fields["provider"].choices = [(name, PROVIDER_LABELS.get(name, name)) for name in offered]
        self.fields["provider"].initial = offered[0] if offered else None
        self.offers_choice = len(offered) > 1

    def clean(self):
        data = super().clean()
        if data.get("custom"):
            data["amount"] = data["custom"]
        elif "custom" in self.errors:
            pass  # the field says what is wrong with what was typed
        elif data.get("preset"):
            data["amount"] = Money(int(data["preset"]), self.currency)
        else:
            self.add_error("preset", _("Choose an amount or type one."))
        return data


class RefundForm(forms.Form):
    amount = MoneyField(label=_("Amount to refund (yuan)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, currency="CNY", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency
