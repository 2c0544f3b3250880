"""The money of a sponsorship: each month an ordinary gift earmarked to the sponsorship's
own account; paid out with vouchers, never more than held; refunded or redirected by the
donor's choice; every figure to the fen and `ledger_check` clean throughout."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jusha.core.errors import Conflict, Forbidden, NotFound
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.sponsorship import casework, pledging, selectors, services
from jusha.sponsorship.models import Beneficiary, Outflow, Payment, Sponsorship
from jusha.transparency.models import Fact
from tests.factories import make_member, make_user, png_bytes
from tests.sponsorship.conftest import make_beneficiary, pay_month, sponsor_and_pay

pytestmark = pytest.mark.django_db


def voucher():
    return SimpleUploadedFile("receipt.png", png_bytes(), content_type="image/png")


def test_the_first_month_is_an_ordinary_gift_earmarked_to_the_sponsorship(beneficiary, sponsor):
    sponsorship, donation = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    assert sponsorship.status == Sponsorship.Status.ACTIVE and sponsorship.paid_through == 1
    assert donation.status == Donation.Status.PAID and donation.project == beneficiary.programme.project
    beneficiary.refresh_from_db()
    assert beneficiary.status == Beneficiary.Status.SPONSORED
    figures = services.sponsorship_figures(sponsorship)
    assert figures.as_dict() == {"paid_in": 30000, "fee": 0, "disbursed": 0, "redirected": 0, "held": 30000}
    sums = project_sums([donation.project_id])[donation.project_id]
    assert sums.raised == 30000 and sums.available == 0  # earmarked: not the project's to spend elsewhere
    assert JournalEntry.objects.filter(kind="commitment", reference=f"sponsorship:{donation.pk}", amount=30000).exists()
    fact = Fact.objects.get(kind="sponsorship_month")
    leaf = bytes(fact.leaf).decode()
    assert "小红".encode("unicode_escape").decode() in leaf or "小红" in leaf
    assert "李小红" not in leaf and "510722" in leaf
    assert ledger_problems() == []


def test_an_unpaid_first_month_gives_the_place_back(beneficiary, sponsor):
    sponsorship, donation = sponsor_and_pay(beneficiary, sponsor, result="failed")
    assert sponsorship.status == Sponsorship.Status.PENDING
    assert services.sponsorships_settle_pending() == 1
    sponsorship.refresh_from_db()
    beneficiary.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.CANCELLED and beneficiary.status == Beneficiary.Status.WAITING
    other, _donation = sponsor_and_pay(beneficiary, make_user())
    assert other.status == Sponsorship.Status.ACTIVE


def test_a_second_donor_is_refused_the_last_place_and_nothing_is_opened(beneficiary, sponsor):
    sponsor_and_pay(beneficiary, sponsor)
    before = (Sponsorship.objects.count(), Donation.objects.count(), Payment.objects.count())
    with pytest.raises(Conflict) as refused:
        sponsor_and_pay(beneficiary, make_user())
    assert refused.value.code == "no_place_left"
    assert (Sponsorship.objects.count(), Donation.objects.count(), Payment.objects.count()) == before


def test_a_capped_group_takes_as_many_sponsors_as_the_organisation_chose(sponsor):
    from tests.sponsorship.conftest import make_programme

    programme = make_programme(cap=2)
    beneficiary = make_beneficiary(programme)
    sponsor_and_pay(beneficiary, sponsor)
    sponsor_and_pay(beneficiary, make_user())
    with pytest.raises(Conflict):
        sponsor_and_pay(beneficiary, make_user())
    with pytest.raises(Conflict) as again:
        sponsor_and_pay(make_beneficiary(programme, alias="小明"), sponsor, result=None) and sponsor_and_pay(beneficiary, sponsor)
    assert Sponsorship.objects.filter(beneficiary=beneficiary, status="active").count() == 2


def test_without_an_authorised_pledge_later_months_are_opened_on_the_donors_page(beneficiary, sponsor):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=20000, months=3)  # the pledge is never authorised
    with pytest.raises(Conflict) as early:
        pledging.charge_terms(sponsorship.pk)
    assert early.value.code == "month_not_due"
    terms = pledging.charge_terms(sponsorship.pk, on=date.today() + timedelta(days=32))
    assert (terms.amount, terms.context, terms.month, terms.project) == (
        Money(20000, "CNY"), {"sponsorship": str(sponsorship.pk)}, 2, beneficiary.programme.project)
    assert services.sponsorships_charge_due(on=date.today()) == 0  # month 2 is not due yet
    assert services.sponsorships_charge_due(on=date.today() + timedelta(days=32)) == 1
    assert services.sponsorships_charge_due(on=date.today() + timedelta(days=32)) == 0  # one open at a time
    with pytest.raises(Conflict) as pending:
        pledging.charge_terms(sponsorship.pk)
    assert pending.value.code == "month_pending"
    pay_month(Payment.objects.get(sponsorship=sponsorship, status="pending").donation)
    sponsorship.refresh_from_db()
    assert sponsorship.paid_through == 2
    assert services.sponsorship_figures(sponsorship).held == 40000
    assert ledger_problems() == []


def test_pledge_target_refuses_clearly(beneficiary, sponsor):
    with pytest.raises(NotFound):
        pledging.charge_terms("00000000-0000-0000-0000-000000000000")
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor, months=1)
    with pytest.raises(Conflict) as paid:
        pledging.charge_terms(sponsorship.pk)
    assert paid.value.code == "term_paid"


def test_disbursement_draws_on_the_sponsorship_never_more_than_it_holds(beneficiary, sponsor, finance):
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    outflow = services.disbursement_record(sponsorship=sponsorship, actor=finance, payee="school", amount=Money(25000, "CNY"),
                                           description="Autumn tuition", spent_on=date.today(), voucher=voucher())
    assert outflow.expenditure.amount == 25000
    assert services.sponsorship_figures(sponsorship).as_dict() == {"paid_in": 30000, "fee": 0, "disbursed": 25000, "redirected": 0, "held": 5000}
    before = JournalEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        services.disbursement_record(sponsorship=sponsorship, actor=finance, payee="guardian", amount=Money(5001, "CNY"),
                                     description="Board", spent_on=date.today(), voucher=voucher())
    assert refused.value.code == "exceeds_held" and JournalEntry.objects.count() == before
    with pytest.raises(Forbidden):
        services.disbursement_record(sponsorship=sponsorship, actor=sponsor, payee="school", amount=Money(100, "CNY"),
                                     description="x", spent_on=date.today(), voucher=voucher())
    assert JournalEntry.objects.count() == before
    assert ledger_problems() == []


def test_withdrawn_mid_term_the_donor_chooses_a_refund_of_what_is_held(beneficiary, sponsor, owner, finance):
    sponsorship, first = sponsor_and_pay(beneficiary, sponsor, fen=30000, months=12)
    services.sponsorships_charge_due(on=date.today() + timedelta(days=32))
    second = pay_month(Payment.objects.get(sponsorship=sponsorship, status="pending").donation)
    services.disbursement_record(sponsorship=sponsorship, actor=finance, payee="school", amount=Money(20000, "CNY"),
                                 description="Tuition", spent_on=date.today(), voucher=voucher())
    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away with her family")
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.PAUSED
    with pytest.raises(Conflict):
        pledging.charge_terms(sponsorship.pk)
    with pytest.raises(Conflict):
        casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="resume")
    with pytest.raises(Forbidden):
        casework.sponsorship_choose(sponsorship=sponsorship, actor=make_user(), choice="refund")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.ENDED
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.refunded_amount == 30000 and first.refunded_amount == 10000  # the latest month first
    figures = services.sponsorship_figures(sponsorship)
    assert figures.held == 0 and figures.disbursed == 20000 and figures.paid_in == 20000
    assert ledger_problems() == []


def test_the_donor_may_redirect_what_is_held_to_the_programme(beneficiary, sponsor, owner):
    sponsorship, donation = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Left school")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="redirect")
    assert services.sponsorship_figures(sponsorship).as_dict() == {"paid_in": 30000, "fee": 0, "disbursed": 0, "redirected": 30000, "held": 0}
    assert project_sums([donation.project_id])[donation.project_id].available == 30000
    assert ledger_problems() == []


def test_a_refund_made_on_the_gift_itself_leaves_nothing_in_the_sponsorship(beneficiary, sponsor, finance):
    from jusha.giving.services import donation_refund

    sponsorship, donation = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    # The project holds other money too, so the gift's own refund passes giving's check.
    from tests.factories import give

    give(beneficiary.programme.project, 50000)
    donation_refund(donation=donation, amount=Money(30000, "CNY"), reason="Donor asked", actor=finance)
    assert services.sponsorship_figures(sponsorship).held == 0
    assert ledger_problems() == []


def test_a_month_arriving_while_paused_is_not_earmarked_and_goes_back(beneficiary, sponsor, owner, django_capture_on_commit_callbacks):
    sponsorship, _first = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    services.sponsorships_charge_due(on=date.today() + timedelta(days=32))
    waiting = Payment.objects.get(sponsorship=sponsorship, status="pending").donation
    casework.beneficiary_mark_unreachable(sponsorship=sponsorship, actor=owner, note="Phone disconnected")
    pay_month(waiting)
    waiting.refresh_from_db()
    assert waiting.status == Donation.Status.REFUNDED
    assert services.sponsorship_figures(sponsorship).held == 30000
    assert ledger_problems() == []


def test_a_refund_the_provider_refuses_is_shown_honestly_as_owed_and_nothing_is_held_twice(client, beneficiary, sponsor, owner):
    from jusha.giving.models import Refund
    from jusha.payments.models import SandboxCharge

    sponsorship, donation = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away")
    # The provider will refuse: at its side the payment can no longer be refunded.
    SandboxCharge.objects.filter(intent_id=donation.intent_id).update(refunded=30000)
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")
    sponsorship.refresh_from_db()
    refund = Refund.objects.get(donation=donation)
    assert refund.status == Refund.Status.FAILED and sponsorship.status == Sponsorship.Status.ENDED
    # The sponsorship no longer holds it (it is the donor's), and says plainly that it is owed.
    assert services.sponsorship_figures(sponsorship).held == 0
    assert selectors.refunds_owed(sponsorship) == 30000
    client.force_login(sponsor)
    page = client.get(f"/sponsorship/s/{sponsorship.pk}/")
    assert page.status_code == 200 and 'data-testid="refund-owed"' in page.content.decode()
    api = client.get(f"/api/v1/sponsorships/{sponsorship.pk}")
    assert api.json()["refunds_owed"] == 30000
    # The sponsorship's books are right; what is left is giving's refund for the organisation
    # to settle (its ledger check names it until then), nothing of the sponsorship's.
    from jusha.sponsorship.checks import sponsorship_problems

    assert sponsorship_problems() == []
    assert ledger_problems() and all(str(refund.pk) in p or str(donation.pk) in p for p in ledger_problems())


def test_a_refund_giving_refuses_to_record_is_put_back_and_the_donor_chooses_again(client, beneficiary, sponsor, owner, finance):
    """A provider's statement adds a fee to a month already paid out in full: the sponsorship
    holds nothing of it to bear it, so it comes out of the programme's general money
    (docs/sponsorship.md), which has none here, and giving will not refund all the sponsorship
    holds: the release is compensated, the month holds its money again, nothing is stranded,
    and the donor chooses again (here: to give it to the programme)."""
    from jusha.giving.models import Refund
    from jusha.giving.services import donation_fee_record
    from jusha.sponsorship.checks import sponsorship_problems

    sponsorship, first = sponsor_and_pay(beneficiary, sponsor, fen=30000)
    services.disbursement_record(sponsorship=sponsorship, actor=finance, payee="school", amount=Money(30000, "CNY"),
                                 description="Tuition", spent_on=date.today(), voucher=voucher())
    donation_fee_record(provider=first.provider, intent_id=first.intent_id, fee=180)  # the statement, days later
    services.sponsorships_charge_due(on=date.today() + timedelta(days=32))
    pay_month(Payment.objects.get(sponsorship=sponsorship, status="pending").donation)
    casework.beneficiary_withdraw(beneficiary=beneficiary, actor=owner, note="Moved away")
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.ENDED and not Refund.objects.exists()
    assert services.sponsorship_figures(sponsorship).held == 30000  # back in the sponsorship, not left in the fund
    assert Outflow.objects.filter(sponsorship=sponsorship, kind=Outflow.Kind.RETURNED).count() == 1
    assert JournalEntry.objects.filter(kind="commitment", reference__startswith="sponsorship-return:").count() == 1
    assert sponsorship_problems() == []
    assert [p for p in ledger_problems() if "overdrawn: available -180," not in p] == []
    client.force_login(sponsor)
    page = client.get(f"/sponsorship/s/{sponsorship.pk}/").content.decode()
    assert 'value="redirect"' in page and 'value="resume"' not in page  # the donor chooses again
    casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="redirect")
    assert services.sponsorship_figures(sponsorship).as_dict() == {
        "paid_in": 60000, "fee": 0, "disbursed": 30000, "redirected": 30000, "held": 0}
    with pytest.raises(Conflict):
        casework.sponsorship_choose(sponsorship=sponsorship, actor=sponsor, choice="refund")  # nothing left to choose about
    assert sponsorship_problems() == [] and ledger_problems() == []
