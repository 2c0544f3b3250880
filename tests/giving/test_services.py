"""Giving's services through their public functions: opening a gift, recording its payment
exactly once, refunds within what may be refunded, and claims by the right account. Every
refusal leaves everything as it was. (All calls go through tests/gifts.py.)"""

import pytest
from django.utils import timezone

from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound
from jusha.giving.models import Donation, Refund, StatusChange
from jusha.giving.permissions import access_token_valid, receipt_grant
from jusha.ledger.models import JournalEntry
from jusha.transparency.models import Fact
from tests.factories import make_member, make_project, make_user
from tests.gifts import claim, fail, open_gift, paid_gift, pay, refund, snapshot

pytestmark = pytest.mark.django_db


def entries(kind, donation):
    return list(JournalEntry.objects.filter(kind=kind, reference=str(donation.pk)).values_list("amount", flat=True))


# --- opening a gift ---------------------------------------------------------------------


def test_an_opened_gift_waits_for_its_payment_and_moves_no_money(project):
    donation = open_gift(project, 5000, email="Donor@Example.org", name="小李", message="加油")
    donation.refresh_from_db()
    assert (donation.status, donation.amount, donation.currency) == ("pending", 5000, "CNY")
    assert donation.email == "donor@example.org"  # one spelling of an address
    assert donation.intent_id and donation.payment_url and donation.receipt_number is None
    assert access_token_valid(donation, donation.access_token) and not access_token_valid(donation, "guess")
    assert JournalEntry.objects.count() == 0 and Fact.objects.count() == 0


@pytest.mark.parametrize(
    "fen,fields,code",
    [
        (0, {}, "invalid_amount"),
        (-100, {}, "invalid_amount"),
        (10.5, {}, "invalid_amount"),
        (100, {"currency": "USD"}, "invalid_currency"),
        (100, {"email": "not-an-address"}, "invalid_email"),
        (100, {"name": "名" * 41}, "name_too_long"),
        (100, {"message": "话" * 201}, "message_too_long"),
    ],
)
def test_a_gift_that_cannot_be_opened_is_refused_and_nothing_is_written(project, fen, fields, code):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        open_gift(project, fen, **fields)
    assert refused.value.code == code
    assert snapshot() == before


@pytest.mark.parametrize("status", ["funded", "executing", "cancelled", "draft"])
def test_a_project_not_raising_money_refuses_gifts_and_points_elsewhere(status):
    closed = make_project(status=status)
    elsewhere = make_project()
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        open_gift(closed, 100)
    assert elsewhere.slug in refused.value.extra["suggestions"]
    assert snapshot() == before


# --- its payment ------------------------------------------------------------------------


def test_a_payment_that_succeeds_twice_is_recorded_once(project):
    donation = open_gift(project, 5000)
    first = pay(donation)
    after_first = snapshot()
    again = pay(donation)  # the provider's retry, or the expiry sweep asking
    assert again.receipt_number == first.receipt_number and again.paid_at == first.paid_at
    assert snapshot() == after_first
    assert first.status == "paid" and first.receipt_number
    assert entries("gift", donation) == [5000]
    assert Fact.objects.filter(kind="gift", ref=str(donation.pk)).count() == 1
    assert list(StatusChange.objects.filter(donation=donation).values_list("source", "target")) == [("pending", "paid")]


@pytest.mark.parametrize("fen,currency", [(4999, None), (5001, None), (5000, "USD")])
def test_a_payment_for_another_amount_is_refused_and_nothing_changes(project, fen, currency):
    donation = open_gift(project, 5000)
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        pay(donation, fen, currency)
    assert refused.value.code == "amount_mismatch"
    assert snapshot() == before
    donation.refresh_from_db()
    assert donation.status == "pending" and donation.receipt_number is None


def test_a_payment_for_no_gift_is_refused(project):
    donation = open_gift(project, 5000)
    donation.intent_id = "sbx_nobody"
    before = snapshot()
    with pytest.raises(NotFound):
        pay(donation)
    assert snapshot() == before


def test_a_failed_payment_moves_no_money_and_a_late_success_is_still_recorded(project):
    donation = open_gift(project, 5000)
    assert fail(donation).status == "failed"
    assert JournalEntry.objects.count() == 0 and Fact.objects.count() == 0
    assert fail(donation).status == "failed"  # said twice: nothing more
    assert pay(donation).status == "paid"  # the provider took the money after all
    assert entries("gift", donation) == [5000]


# --- refunds ----------------------------------------------------------------------------


def test_refunds_reverse_the_gift_part_by_part(project):
    donation = paid_gift(project, 5000)
    finance = make_member(project.organisation, "finance")
    first = refund(donation, 2000, actor=finance)
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("partially_refunded", 2000)
    assert (first.amount, first.status, first.automatic) == (2000, "succeeded", False)
    refund(donation, 3000, actor=finance)
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("refunded", 5000)
    assert sorted(JournalEntry.objects.filter(kind="refund").values_list("amount", flat=True)) == [2000, 3000]
    assert Fact.objects.filter(kind="refund").count() == 2


@pytest.mark.parametrize("refunded,fen", [(0, 5001), (3000, 2001)])
def test_a_refund_over_the_refundable_limit_is_refused_and_nothing_changes(project, refunded, fen):
    donation = paid_gift(project, 5000)
    finance = make_member(project.organisation, "finance")
    if refunded:
        refund(donation, refunded, actor=finance)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        refund(donation, fen, actor=finance)
    assert refused.value.code == "exceeds_refundable" and refused.value.extra["refundable"] == 5000 - refunded
    assert snapshot() == before  # not at the provider either: its charge is as it was


def test_refunds_are_refused_to_outsiders_and_for_gifts_not_paid(project):
    donation = paid_gift(project, 5000)
    finance = make_member(project.organisation, "finance")
    before = snapshot()
    outsiders = (make_user(), make_member(project.organisation, "editor"),
                 make_member(make_project().organisation, "finance"))
    for outsider in outsiders:
        with pytest.raises(Forbidden):
            refund(donation, 100, actor=outsider)
    for fen, reason in ((0, "asked"), (-5, "asked"), (100, "  ")):
        with pytest.raises(Invalid):
            refund(donation, fen, actor=finance, reason=reason)
    assert snapshot() == before
    pending = open_gift(project, 3000)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        refund(pending, 100, actor=finance)
    assert refused.value.code == "not_paid"
    assert snapshot() == before
    refund(donation, 5000, actor=finance)
    with pytest.raises(Conflict) as refused:
        refund(donation, 1, actor=finance)
    assert refused.value.code == "already_refunded"
    assert Refund.objects.count() == 1


# --- claims -----------------------------------------------------------------------------


def test_a_guest_gift_is_claimed_only_by_the_account_with_its_email(project):
    donation = paid_gift(project, 5000, email="guest@example.org")
    rightful = make_user("Guest@example.org", email_verified_at=timezone.now())  # the same address, spelt otherwise
    before = snapshot()
    with pytest.raises(Forbidden):
        claim(donation, make_user("someone.else@example.org"))  # the receipt link, another address
    with pytest.raises(Forbidden):
        claim(donation, rightful, "not-the-token")  # the address, without the link
    assert snapshot() == before

    assert claim(donation, rightful).donor_id == rightful.pk
    assert claim(donation, rightful, receipt_grant(donation)).donor_id == rightful.pk  # again: still theirs
    with pytest.raises(Conflict):
        claim(donation, make_user("third@example.org"))
    assert Donation.objects.get(pk=donation.pk).donor_id == rightful.pk


def test_an_account_whose_email_is_not_confirmed_cannot_claim(project):
    donation = paid_gift(project, 5000, email="guest@example.org")
    unconfirmed = make_user("guest@example.org")  # signed up with the address, never opened the link
    before = snapshot()
    with pytest.raises(Forbidden) as refused:
        claim(donation, unconfirmed)
    assert refused.value.code == "email_not_confirmed" and "Confirm your email address" in str(refused.value.detail)
    assert snapshot() == before and Donation.objects.get(pk=donation.pk).donor_id is None
    type(unconfirmed).objects.filter(pk=unconfirmed.pk).update(email_verified_at=timezone.now())
    unconfirmed.refresh_from_db()
    assert claim(donation, unconfirmed).donor_id == unconfirmed.pk


def test_a_gift_without_an_email_cannot_be_claimed(project):
    donation = paid_gift(project, 5000)
    before = snapshot()
    with pytest.raises(Forbidden):
        claim(donation, make_user(), donation.access_token)
    assert snapshot() == before
