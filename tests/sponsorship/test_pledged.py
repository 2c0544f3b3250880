"""A sponsorship's later months charged by its monthly pledge (target "sponsorship"): each
month once whatever schedules run, a month the sponsorship cannot take skipped without a
failure, the pledge following the sponsorship (paused, resumed, cancelled), and payments
failing for three months pausing the sponsorship kindly with nothing lost."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import TestCase

from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.payments.models import SandboxAgreement
from jusha.payments.sandbox import SandboxProvider
from jusha.pledges import charging
from jusha.pledges import services as pledges
from jusha.pledges.models import Pledge, PledgeCharge
from jusha.sponsorship import casework, pledging, services
from jusha.sponsorship.models import Beneficiary, Payment, Sponsorship
from tests.sponsorship.conftest import sponsor_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Moves the day the sponsorship's due check reads (the pledge run is given the same day)."""
    def move(day: date) -> date:
        monkeypatch.setattr(pledging, "today", lambda: day)
        return day
    return move


def signed(sponsorship, outcome="succeed") -> Pledge:
    """The donor authorises the sponsorship's monthly payments at the sandbox."""
    pledge = pledging.pledge_of(sponsorship)
    provider = SandboxProvider()
    provider.agreement_sign(pledge.agreement_id, "active")
    if outcome != "succeed":
        provider.agreement_outcome_set(pledge.agreement_id, outcome)
    return pledges.pledge_agreement_confirm(pledge=pledge)


def run(day: date) -> dict:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return charging.pledges_charge_due(today=day)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, min(day.day, 28))


def test_sponsoring_opens_the_monthly_pledge_whose_target_is_the_sponsorship(client, beneficiary, sponsor):
    sponsorship, first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=12)
    pledge = pledging.pledge_of(sponsorship)
    assert (pledge.target_kind, pledge.target_ref, pledge.amount, pledge.donor) == ("sponsorship", str(sponsorship.pk), 30000, sponsor)
    assert pledge.project == beneficiary.programme.project and pledge.status == "active" and pledge.agreement_status == "pending"
    assert pledge.day == min(sponsorship.starts_on.day, 28)
    assert first.status == Donation.Status.PAID and sponsorship.paid_through == 1  # the first month, on the pay page as before
    client.force_login(sponsor)
    mine = client.get("/donations/mine/").content.decode()  # "my giving" lists it with its label and buttons
    section = mine[mine.index('data-testid="my-pledges"'):]
    assert "小红" in section and f"/pledges/{pledge.pk}/action/" in section


def test_one_month_is_charged_once_when_both_schedules_run(beneficiary, sponsor, clock):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=12)
    pledge = signed(sponsorship)
    today = clock(date.today())
    assert run(today)["succeeded"] == 0  # the first month was paid on the pay page: month 2 is not due yet
    assert services.sponsorships_charge_due(on=today) == 0
    pledge.refresh_from_db()
    day = clock(pledge.next_charge_on)
    assert pledging.rules.months_between(sponsorship.starts_on, day) == 1
    # Both schedules, in either order, twice: month 2 is charged once, by the pledge.
    assert run(day)["succeeded"] == 1
    assert services.sponsorships_charge_due(on=day + timedelta(days=1)) == 0
    assert run(day)["succeeded"] == 0
    day = clock(next_month(day))
    assert services.sponsorships_charge_due(on=day) == 0
    assert run(day)["succeeded"] == 1
    assert services.sponsorships_charge_due(on=day) == 0 and run(day)["succeeded"] == 0
    sponsorship.refresh_from_db()
    assert sponsorship.paid_through == 3
    assert Payment.objects.filter(sponsorship=sponsorship, status="paid").count() == 3
    assert Donation.objects.filter(project=beneficiary.programme.project, status="paid").count() == 3
    assert PledgeCharge.objects.filter(pledge=pledge, status="succeeded").count() == 2
    assert services.sponsorship_figures(sponsorship).as_dict() == {"paid_in": 90000, "fee": 0, "disbursed": 0, "redirected": 0, "held": 90000}
    assert sorted(Payment.objects.filter(sponsorship=sponsorship).values_list("period", flat=True)) == [1, 2, 3]
    assert ledger_problems() == []


def test_a_month_the_sponsorship_cannot_take_is_skipped_not_failed(beneficiary, sponsor, owner, clock):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=12)
    pledge = signed(sponsorship)
    casework.beneficiary_mark_unreachable(sponsorship=sponsorship, actor=owner, note="Phone disconnected")
    pledge.refresh_from_db()
    assert pledge.status == "paused"  # the pledge follows its sponsorship
    # Even if the donor resumes the pledge on "my giving", the paused sponsorship's month is skipped.
    pledges.pledge_update(pledge=pledge, actor=sponsor, status="active")
    day = clock(next_month(date.today()))
    counts = run(day)
    assert counts["skipped"] == 1 and counts["failed"] == 0 and counts["paused"] == 0
    pledge.refresh_from_db()
    assert pledge.status == "active" and pledge.next_charge_on > day  # the next period is tried; this one was not charged
    assert not PledgeCharge.objects.filter(pledge=pledge).exists()
    assert Payment.objects.filter(sponsorship=sponsorship).count() == 1
    assert ledger_problems() == []


def test_the_pledge_pauses_with_a_follow_up_resumes_with_the_donors_choice_and_ends_with_the_sponsorship(beneficiary, sponsor, owner, clock):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=12)
    pledge = signed(sponsorship)
    case = casework.beneficiary_mark_unreachable(sponsorship=sponsorship, actor=owner, note="No answer")
    pledge.refresh_from_db()
    assert pledge.status == "paused"
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="resume")
    pledge.refresh_from_db()
    assert pledge.status == "paused"  # the choice waits for the case
    casework.case_close(case=case, actor=owner, outcome="reached", note="She is well")
    pledge.refresh_from_db()
    assert pledge.status == "active"
    day = clock(next_month(date.today()))
    assert run(day)["succeeded"] == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away with her family")
        casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="redirect")
    pledge.refresh_from_db()
    assert pledge.status == "cancelled"
    assert SandboxAgreement.objects.get(agreement_id=pledge.agreement_id).status == "revoked"
    assert services.sponsorship_figures(sponsorship).held == 0
    assert ledger_problems() == []


def test_the_pledge_ends_when_the_term_is_paid_up(beneficiary, sponsor, clock):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=2)
    pledge = signed(sponsorship)
    pledge.refresh_from_db()
    day = clock(next_month(pledge.next_charge_on))
    assert run(day)["succeeded"] == 1
    pledge.refresh_from_db()
    sponsorship.refresh_from_db()
    assert sponsorship.paid_through == 2 and pledge.status == "cancelled"


def test_payments_failing_for_three_months_pause_the_sponsorship_kindly_and_nothing_is_lost(beneficiary, sponsor, clock):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=12)
    pledge = signed(sponsorship, outcome="fail_always")
    pledge.refresh_from_db()
    due = clock(next_month(pledge.next_charge_on))
    for offset in (0, 1, 3, 7):  # the charge and its retries
        run(clock(due + timedelta(days=offset)))
    pledge.refresh_from_db()
    assert pledge.status == "paused" and pledge.pause_reason == "payment_failed"  # pledges' own rule
    assert PledgeCharge.objects.get(pledge=pledge).status == "abandoned"
    assert services.failed_months_in_a_row(sponsorship, on=due + timedelta(days=9)) == 1
    assert services.sponsorships_check_payments(on=due + timedelta(days=9)) == 0  # one month: the donor's page says so
    mail.outbox.clear()
    third = next_month(next_month(due)) + timedelta(days=9)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.sponsorships_check_payments(on=third) == 1
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PAUSED
    assert any("Nothing is lost" in m.body and "three months" in m.body for m in mail.outbox)
    assert services.sponsorships_check_payments(on=third) == 0
    # Nothing is lost: the first month is still held for the student, nothing was taken for the others.
    assert services.sponsorship_figures(sponsorship).as_dict() == {"paid_in": 30000, "fee": 0, "disbursed": 0, "redirected": 0, "held": 30000}
    assert ledger_problems() == []
    # The donor carries on: payments resume, the months missed are not charged.
    SandboxProvider().agreement_outcome_set(pledge.agreement_id, "succeed")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="resume")
    sponsorship.refresh_from_db()
    pledge.refresh_from_db()
    assert sponsorship.status == "active" and pledge.status == "active"
    assert services.failed_months_in_a_row(sponsorship, on=date.today()) == 0
    beneficiary.refresh_from_db()
    assert beneficiary.status == Beneficiary.Status.SPONSORED
    assert run(clock(pledge.next_charge_on))["succeeded"] == 1
    sponsorship.refresh_from_db()
    assert sponsorship.paid_through == 2  # the next month, once
    assert services.sponsorship_figures(sponsorship).held == 60000
    assert ledger_problems() == []
