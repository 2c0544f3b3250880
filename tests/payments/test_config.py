"""A provider is off until its keys are set; one set in part, or with a key that does not
load, is refused at start-up with the variable named, and is not offered to donors."""

import pytest

from jusha.payments import config
from jusha.payments.checks import provider_configuration
from jusha.payments.providers import enabled_providers

pytestmark = pytest.mark.django_db


def test_only_configured_providers_are_offered(settings, providers):
    assert enabled_providers() == ["alipay", "wechatpay", "stripe", "sandbox"]
    settings.JUSHA_STRIPE_SECRET_KEY = ""
    settings.JUSHA_SANDBOX_ENABLED = False
    assert enabled_providers() == ["alipay", "wechatpay"]


def test_nothing_configured_is_no_problem(settings):
    settings.JUSHA_ALIPAY_APP_ID = ""
    assert config.configured() == [] and provider_configuration() == []


@pytest.mark.parametrize("variable, value, says", [
    ("JUSHA_ALIPAY_PRIVATE_KEY_FILE", "", "JUSHA_ALIPAY_PRIVATE_KEY_FILE: not set"),
    ("JUSHA_ALIPAY_PUBLIC_KEY_FILE", "/nonexistent/alipay.pem", "JUSHA_ALIPAY_PUBLIC_KEY_FILE: cannot read"),
    ("JUSHA_WECHATPAY_APIV3_KEY", "short", "JUSHA_WECHATPAY_APIV3_KEY: the API v3 key is 32 characters"),
    ("JUSHA_STRIPE_WEBHOOK_SECRET", "nope", "JUSHA_STRIPE_WEBHOOK_SECRET: a Stripe webhook signing secret starts with whsec_"),
])
def test_a_missing_or_malformed_key_is_refused_naming_the_variable(settings, providers, variable, value, says):
    setattr(settings, variable, value)
    errors = provider_configuration()
    assert len(errors) == 1 and says in errors[0].msg
    name = {"ALIPAY": "alipay", "WECHATPAY": "wechatpay", "STRIPE": "stripe"}[variable.split("_")[1]]
    assert name not in enabled_providers()


def test_a_public_key_where_the_private_key_belongs_is_refused(settings, providers, tmp_path):
    wrong = tmp_path / "swapped.pem"
    wrong.write_text(open(settings.JUSHA_ALIPAY_PUBLIC_KEY_FILE).read())
    settings.JUSHA_ALIPAY_PRIVATE_KEY_FILE = str(wrong)
    [error] = provider_configuration()
    assert "JUSHA_ALIPAY_PRIVATE_KEY_FILE" in error.msg


def test_a_secret_may_come_from_a_file(settings, providers, tmp_path):
    secret = tmp_path / "stripe.key"
    secret.write_text(settings.JUSHA_STRIPE_SECRET_KEY + "\n")
    settings.JUSHA_STRIPE_SECRET_KEY, settings.JUSHA_STRIPE_SECRET_KEY_FILE = "", str(secret)
    assert config.stripe().secret_key == providers.stripe_secret
