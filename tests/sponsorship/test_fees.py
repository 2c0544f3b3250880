"""A payment provider's fee on a sponsorship's months is borne by that sponsorship: each
month is earmarked net of what the provider kept, the donor's page shows paid in, the fee,
disbursed and held to the fen, a refund gives back what the provider returns of its fee,
and `ledger_check` stays clean (the programme's general money never pays for it)."""

from datetime import date, timedelta

import pytest
from django.test import TestCase

from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.giving.services import donation_payment_succeeded
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.sponsorship import casework, services
from jusha.sponsorship.checks import sponsorship_problems
from jusha.sponsorship.models import Payment
from tests.payments.conftest import gateway, providers  # noqa: F401 - Alipay on its loopback gateway
from tests.sponsorship.test_money import voucher

pytestmark = pytest.mark.django_db


def pay_with_fee(donation, fee):
    """The sandbox payer pays, and the notification says the provider kept a fee (as Stripe
    does: it never gives it back)."""
    from django.utils import timezone

    from jusha.payments.models import SandboxCharge
    from jusha.payments.sandbox import RESULTS

    SandboxCharge.objects.filter(intent_id=donation.intent_id).update(status=RESULTS["succeeded"], completed_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        donation_payment_succeeded(provider=donation.provider, intent_id=donation.intent_id, amount=donation.amount,
                                   currency=donation.currency, fee=fee)
    donation.refresh_from_db()
    return donation


def second_month(sponsorship):
    services.sponsorships_charge_due(on=date.today() + timedelta(days=32))
    return Payment.objects.get(sponsorship=sponsorship, status="pending").donation


def test_a_kept_fee_is_borne_by_the_sponsorship_through_months_a_payment_out_and_a_refund(client, beneficiary, sponsor, owner,
                                                                                            finance):
    sponsorship, first, _token = services.sponsorship_create(
        beneficiary=beneficiary, donor=sponsor, amount=Money(30000, "CNY"), months=12, client=ClientContext())
    pay_with_fee(first, 180)
    project = beneficiary.programme.project
    # Earmarked net of the fee: the programme's general money pays nothing for it.
    assert JournalEntry.objects.get(kind="commitment", reference=f"sponsorship:{first.pk}").amount == 29820
    assert project_sums([project.pk])[project.pk].available == 0
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 30000, "fee": 180, "disbursed": 0, "redirected": 0, "held": 29820}
    assert ledger_problems() == []

    pay_with_fee(second_month(sponsorship), 175)
    services.disbursement_record(sponsorship=sponsorship, actor=finance, payee="school", amount=Money(40000, "CNY"),
                                 description="Tuition", spent_on=date.today(), voucher=voucher())
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 60000, "fee": 355, "disbursed": 40000, "redirected": 0, "held": 19645}
    assert ledger_problems() == []
    client.force_login(sponsor)
    page = client.get(f"/sponsorship/s/{sponsorship.pk}/").content.decode()
    assert 'data-testid="fee"' in page and "3.55" in page and "196.45" in page
    assert client.get(f"/api/v1/sponsorships/{sponsorship.pk}").json()["figures"]["fee"] == 355

    # The student withdraws; the donor has what is held refunded. The provider keeps its
    # fee (Stripe's way), so the donor gets back what the sponsorship holds, to the fen.
    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")
    refunded = sum(Donation.objects.filter(pk__in=[first.pk]).values_list("refunded_amount", flat=True)) + \
        Payment.objects.exclude(donation=first).get(sponsorship=sponsorship).donation.refunded_amount
    assert refunded == 19645
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 60000 - 19645, "fee": 355, "disbursed": 40000, "redirected": 0, "held": 0}
    assert project_sums([project.pk])[project.pk].available == 0
    assert sponsorship_problems() == [] and ledger_problems() == []


def test_a_provider_that_gives_its_fee_back_refunds_a_whole_month_gross_and_a_part_month_to_the_fen(
        client, beneficiary, sponsor, owner, finance, providers):
    """Alipay (fee 60 bps, given back in proportion with refunds, all of it with a full
    refund): the month refunded whole is refunded gross; the part of the fee that comes back
    with the month refunded in part was the sponsorship's, so it is refunded in turn."""
    from jusha.payments import rules
    from tests.payments.test_alipay import notify

    sponsorship, first, _token = services.sponsorship_create(
        beneficiary=beneficiary, donor=sponsor, amount=Money(30000, "CNY"), months=12, client=ClientContext())
    assert first.provider == "alipay"

    def pay(donation):
        providers.alipay_pay(donation.pk.hex, donation.amount)
        with TestCase.captureOnCommitCallbacks(execute=True):
            notify(client, providers.alipay_notification(donation.pk.hex, rules.yuan(donation.amount)))
        donation.refresh_from_db()
        assert donation.status == Donation.Status.PAID
        return donation

    pay(first)
    second = pay(second_month(sponsorship))
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 60000, "fee": 360, "disbursed": 0, "redirected": 0, "held": 59640}
    services.disbursement_record(sponsorship=sponsorship, actor=finance, payee="school", amount=Money(20000, "CNY"),
                                 description="Tuition", spent_on=date.today(), voucher=voucher())
    assert ledger_problems() == []

    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.refunded_amount == 30000  # the latest month, whole: all the donor paid for it
    # The first month in part: 9,820 held, then the 58 fen of fee Alipay gave back with it,
    # then the 1 fen it gave back with those.
    assert first.refunded_amount == 9820 + 58 + 1
    figures = services.sponsorship_figures(sponsorship)
    assert figures.held == 0 and figures.disbursed == 20000
    assert figures.fee == 180 - 59  # what Alipay still keeps of the first month's fee; none of the second's
    assert figures.paid_in == 60000 - 30000 - 9879
    assert JournalEntry.objects.filter(kind="commitment", reference__startswith="sponsorship-fee-return:").count() == 2
    project = beneficiary.programme.project
    assert project_sums([project.pk])[project.pk].available == 0  # nothing left over in the programme's money
    assert sponsorship_problems() == [] and ledger_problems() == []


def test_a_fee_the_statement_adds_later_is_borne_by_its_month(client, beneficiary, sponsor, owner, finance):
    """The provider said nothing of its fee when the month was paid; its statement does, days
    later: the fee leaves the sponsorship's account, the programme's money is untouched."""
    from jusha.giving.services import donation_fee_record

    sponsorship, first, _token = services.sponsorship_create(
        beneficiary=beneficiary, donor=sponsor, amount=Money(30000, "CNY"), months=12, client=ClientContext())
    pay_with_fee(first, None)
    assert services.sponsorship_figures(sponsorship).held == 30000
    assert donation_fee_record(provider=first.provider, intent_id=first.intent_id, fee=180) == 180
    assert donation_fee_record(provider=first.provider, intent_id=first.intent_id, fee=180) == 180  # read twice: once
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 30000, "fee": 180, "disbursed": 0, "redirected": 0, "held": 29820}
    project = beneficiary.programme.project
    assert project_sums([project.pk])[project.pk].available == 0
    assert sponsorship_problems() == [] and ledger_problems() == []
    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")
    first.refresh_from_db()
    assert first.refunded_amount == 29820  # the provider keeps its fee: the donor gets what is held
    assert services.sponsorship_figures(sponsorship).held == 0
    assert sponsorship_problems() == [] and ledger_problems() == []


def test_a_part_refund_made_on_the_gift_brings_its_share_of_the_fee_back_to_the_sponsorship(
        client, beneficiary, sponsor, finance, providers):
    """Finance refunds part of an Alipay month on the gift itself: the sponsorship's account
    gives up the part refunded, and the part of the fee Alipay gives back with it comes back
    to the sponsorship (it bore that fee), not to the programme's general money."""
    from jusha.giving.services import donation_refund
    from jusha.payments import rules
    from tests.payments.test_alipay import notify

    sponsorship, first, _token = services.sponsorship_create(
        beneficiary=beneficiary, donor=sponsor, amount=Money(30000, "CNY"), months=12, client=ClientContext())
    providers.alipay_pay(first.pk.hex, 30000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        notify(client, providers.alipay_notification(first.pk.hex, rules.yuan(30000)))
    first.refresh_from_db()
    from tests.factories import give

    project = beneficiary.programme.project
    give(project, 50000, provider="sandbox")  # the programme's general money: giving refunds a gift from money not set aside
    refund = donation_refund(donation=first, amount=Money(10000, "CNY"), reason="Donor asked", actor=finance)
    assert refund.status == "succeeded"
    assert JournalEntry.objects.get(kind="fee_return", reference=str(refund.pk)).amount == 60  # 180 × 10000 / 30000
    assert JournalEntry.objects.get(kind="commitment", reference=f"sponsorship-fee-return:{refund.pk}").amount == 60
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 20000, "fee": 120, "disbursed": 0, "redirected": 0, "held": 19880}
    assert project_sums([project.pk])[project.pk].available == 50000  # the general money, untouched
    assert sponsorship_problems() == [] and ledger_problems() == []
