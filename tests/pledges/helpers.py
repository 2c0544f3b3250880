"""Setting up pledges as a donor would: the API's create, the sandbox's agreement page."""

from __future__ import annotations

from datetime import date

from django.test import TestCase

from jusha.core.money import Money
from jusha.payments.sandbox import SandboxProvider
from jusha.pledges import charging, services
from jusha.pledges.models import Pledge


def signed_pledge(donor, project=None, *, amount=3_000, day=6, today=date(2026, 12, 1), cause=None, outcome="succeed") -> Pledge:
    """A pledge whose agreement the donor authorised (first charge on `day` after `today`)."""
    kind, ref = ("cause", cause) if cause else ("project", project.slug)
    pledge = services.pledge_create(donor=donor, amount=Money(amount, "CNY"), day=day, kind=kind, ref=ref)
    provider = SandboxProvider()
    provider.agreement_sign(pledge.agreement_id, "active")
    if outcome != "succeed":
        provider.agreement_outcome_set(pledge.agreement_id, outcome)
    return services.pledge_agreement_confirm(pledge=pledge, today=today)


def run(today: date) -> dict:
    """The worker's run on `today`, with its after-commit work (receipts, emails, funded) done."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return charging.pledges_charge_due(today=today)
