"""Start-up checks (Django's system checks): a provider configured in part, or with a key
that does not load, is refused with the variable named, before the first donor meets it."""

from django.core import checks

from jusha.payments import config


def provider_configuration(app_configs=None, **kwargs):
    return [
        checks.Error(f"Payment provider configuration: {problem}", hint="See docs/payments.md.", id="payments.E001",
                     obj=problem.variable)
        for problem in config.problems()
    ]


def register() -> None:
    checks.register(provider_configuration, checks.Tags.security, deploy=False)
