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


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


GARBAGE_PEM = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
GARBAGE_CERT = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
# Every variable a provider needs, missing or malformed: (variable, value or file content, words of the refusal).
MALFORMED = [
    ("JUSHA_ALIPAY_APP_ID", "", "not set"),
    ("JUSHA_ALIPAY_PRIVATE_KEY_FILE", "file:" + GARBAGE_PEM, "is not an RSA key"),
    ("JUSHA_ALIPAY_PRIVATE_KEY_FILE", "file:just some text", "is not a PEM file"),
    ("JUSHA_ALIPAY_PUBLIC_KEY_FILE", "file:-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "is not an RSA key"),
    ("JUSHA_ALIPAY_FEE_BPS", "0.6%", "whole number of basis points"),
    ("JUSHA_WECHATPAY_MCHID", "", "not set"),
    ("JUSHA_WECHATPAY_APPID", "", "not set"),
    ("JUSHA_WECHATPAY_CERT_SERIAL_NO", "", "not set"),
    ("JUSHA_WECHATPAY_PRIVATE_KEY_FILE", "file:" + GARBAGE_PEM, "is not the merchant's API private key"),
    ("JUSHA_WECHATPAY_PRIVATE_KEY_FILE", "/nonexistent/apiclient_key.pem", "cannot read"),
    ("JUSHA_WECHATPAY_APIV3_KEY", "", "not set"),
    ("JUSHA_WECHATPAY_CA_FILE", "", "not set"),
    ("JUSHA_WECHATPAY_CA_FILE", "file:" + GARBAGE_CERT, "is not a PEM certificate of WeChat Pay's CA"),
    ("JUSHA_WECHATPAY_CA_FILE", "file:no certificate here", "is not a PEM file"),
    ("JUSHA_WECHATPAY_PUBLIC_KEY_ID", "PUB_KEY_ID_0114232134912410000", "set both"),
    ("JUSHA_WECHATPAY_FEE_BPS", "2000", "between 0 and 1000"),
    ("JUSHA_STRIPE_SECRET_KEY", "pk_test_123", "starts with sk_"),
    ("JUSHA_STRIPE_WEBHOOK_SECRET", "", "not set"),
    ("JUSHA_PROVIDER_TIMEOUT", "soon", "must be a number of seconds"),
]


@pytest.mark.parametrize("variable, value, says", MALFORMED, ids=[f"{v}={w}" for v, _x, w in MALFORMED])
def test_each_variable_missing_or_malformed_is_refused_at_start_up_by_name(settings, providers, tmp_path, variable, value,
                                                                            says):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    if value.startswith("file:"):
        value = _file(tmp_path, "bad.pem", value[len("file:"):])
    setattr(settings, variable, value)
    problems = provider_configuration()
    assert problems and all(p.id == "payments.E001" for p in problems)
    assert any(p.obj == variable and says in p.msg for p in problems), [p.msg for p in problems]
    with pytest.raises(SystemCheckError) as refused:  # manage.py check, runserver, the worker: refused at start-up
        call_command("check")
    assert variable in str(refused.value)


def test_wechat_pays_public_key_mode_needs_no_ca_file(settings, providers, tmp_path):
    from tests.payments.gateways import public_pem, rsa_key

    settings.JUSHA_WECHATPAY_CA_FILE = ""
    settings.JUSHA_WECHATPAY_PUBLIC_KEY_FILE = _file(tmp_path, "pub.pem", public_pem(rsa_key()))
    settings.JUSHA_WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000"
    assert provider_configuration() == []
