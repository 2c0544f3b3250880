"""Refunds of gifts whose provider fee was journalled, on each provider: the donor gets
back the gross they paid; the fee the provider gives back with the refund (Alipay and
WeChat Pay, in proportion; Stripe keeps it) is its own journal entry, `fee_return`, shown
on the receipt and the public ledger; reconciliation matches it; `ledger_check` is clean."""

import pytest
from django.utils import timezone

from jusha.core.errors import Conflict
from jusha.giving.models import Donation, Refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.payments import rules
from jusha.payments.models import Finding
from jusha.payments.reconcile import statement_read
from jusha.projects.selectors import project_sums
from tests.factories import give
from tests.gifts import refund, snapshot

pytestmark = pytest.mark.django_db
FEES = {"alipay": 30, "wechatpay": 30, "stripe": 175}  # 0.6% of 50 yuan; Stripe's from its balance transaction


def paid(client, project, providers, provider, fen=5000) -> Donation:
    if provider == "alipay":
        from tests.payments.test_reconcile import paid_by_alipay

        return paid_by_alipay(client, project, providers, fen)
    if provider == "wechatpay":
        from tests.payments.test_wechatpay import create, notify

        gift = Donation.objects.get(pk=create(client, project, fen).json()["id"])
        providers.wechat_pay(gift.pk.hex)
        assert notify(client, *providers.wechat_notification(gift.pk.hex, fen)).status_code == 204
    else:
        from tests.payments.test_stripe import create, webhook

        gift = Donation.objects.get(pk=create(client, project, fen).json()["id"])
        providers.stripe_pay(gift.intent_id, fee=FEES["stripe"])
        body = providers.stripe_event(gift.intent_id)
        assert webhook(client, body, providers.stripe_signature(body)).status_code == 200
    gift.refresh_from_db()
    return gift


def returned(gift) -> int:
    ids = [str(pk) for pk in Refund.objects.filter(donation=gift).values_list("pk", flat=True)]
    return sum(JournalEntry.objects.filter(kind="fee_return", reference__in=ids).values_list("amount", flat=True))


@pytest.mark.parametrize("provider", ["alipay", "wechatpay"])
def test_a_full_refund_of_a_fee_paid_gift_refunds_the_gross_and_journals_the_fee_given_back(
        client, project, providers, org_finance, provider):
    gift = paid(client, project, providers, provider)
    assert project_sums([project.pk])[project.pk].available == 5000 - 30  # the gift is all the project holds
    done = refund(gift, 5000, actor=org_finance)
    assert done.status == "succeeded" and providers.orders[gift.pk.hex]["refunded"] == 5000
    gift.refresh_from_db()
    assert gift.status == "refunded" and gift.refunded_amount == 5000
    assert JournalEntry.objects.get(kind="fee_return", reference=str(done.pk)).amount == 30
    sums = project_sums([project.pk])[project.pk]
    assert (sums.raised, sums.fees, sums.balance) == (0, 0, 0)
    assert ledger_problems() == []


@pytest.mark.parametrize("provider", ["alipay", "wechatpay"])
def test_partial_refunds_get_the_fee_back_in_proportion_and_all_of_it_with_the_last(
        client, project, providers, org_finance, provider):
    gift = paid(client, project, providers, provider)
    first = refund(gift, 1000, actor=org_finance)
    assert JournalEntry.objects.get(kind="fee_return", reference=str(first.pk)).amount == 6  # 30 × 1000 / 5000
    second = refund(gift, 2500, actor=org_finance)
    assert returned(gift) == 6 + 15
    last = refund(gift, 1500, actor=org_finance)
    assert last.status == "succeeded" and returned(gift) == 30
    gift.refresh_from_db()
    assert gift.status == "refunded" and second.status == "succeeded"
    assert project_sums([project.pk])[project.pk].balance == 0
    assert ledger_problems() == []
    with pytest.raises(Conflict) as refused:  # nothing is left to refund
        refund(gift, 1, actor=org_finance)
    assert refused.value.code == "already_refunded"


@pytest.mark.parametrize("provider", ["alipay", "wechatpay", "stripe"])
def test_a_cancelled_projects_fee_paid_gifts_are_refunded(client, project, providers, org_finance, provider):
    from jusha.giving.services import donations_refund_all

    gift = paid(client, project, providers, provider)
    other = give(project, 3000, provider="sandbox")  # a sandbox gift (no fee)
    assert donations_refund_all(project=project, reason="The project was cancelled.") == 2
    gift.refresh_from_db()
    other.refresh_from_db()
    sums = project_sums([project.pk])[project.pk]
    if provider == "stripe":
        # Stripe keeps its fee: it is the project's cost, so the project hands back all it
        # holds, which is 1.75 yuan less than its donors gave.
        assert returned(gift) == 0 and gift.refunded_amount + other.refunded_amount == 8000 - 175
        assert sums.fees == 175
    else:
        assert (gift.status, gift.refunded_amount, other.status) == ("refunded", 5000, "refunded")
        assert returned(gift) == 30 and sums.fees == 0
    assert sums.balance == 0 and sums.available == 0
    assert ledger_problems() == []


@pytest.mark.parametrize("provider", ["alipay", "wechatpay"])
def test_an_overflow_gift_with_a_fee_is_refunded_gross(client, project, providers, provider, settings):
    from jusha.giving.tasks import refund_overflow

    gift = paid(client, project, providers, provider)
    refund_overflow.call(str(gift.pk))
    gift.refresh_from_db()
    assert gift.status == "refunded" and gift.refunded_amount == 5000
    assert returned(gift) == 30 and ledger_problems() == []


def test_stripe_keeps_its_fee_so_a_gift_alone_in_its_project_refunds_what_the_project_holds(
        client, project, providers, org_finance):
    gift = paid(client, project, providers, "stripe")
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        refund(gift, 5000, actor=org_finance)
    assert refused.value.code == "exceeds_refundable" and refused.value.extra["refundable"] == 5000 - 175
    assert snapshot() == before
    give(project, 1000, provider="sandbox")  # the project now holds the fee Stripe keeps
    done = refund(gift, 5000, actor=org_finance)
    assert done.status == "succeeded" and not JournalEntry.objects.filter(kind="fee_return").exists()
    assert project_sums([project.pk])[project.pk].fees == 175 and ledger_problems() == []


def test_a_refund_retried_after_a_timeout_journals_the_fee_given_back_once(client, project, providers, org_finance):
    from datetime import timedelta

    from jusha.giving.services import refunds_settle_pending

    gift = paid(client, project, providers, "wechatpay")
    providers.delay = 3
    first = refund(gift, 5000, actor=org_finance)
    assert first.status == "pending" and not JournalEntry.objects.filter(kind="fee_return").exists()
    providers.delay = 0
    Refund.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert refunds_settle_pending() == 1
    assert refunds_settle_pending() == 0
    assert JournalEntry.objects.filter(kind="fee_return").count() == 1 and returned(gift) == 30
    assert ledger_problems() == []


def test_the_receipt_and_the_public_ledger_show_the_fee_given_back(client, project, providers, org_finance):
    from jusha.giving.receipt_links import receipt_link

    gift = paid(client, project, providers, "alipay")
    refund(gift, 1000, actor=org_finance)
    html = client.get(receipt_link(gift, via="a")).content.decode()
    assert 'data-testid="donation-fee"' in html and 'data-testid="donation-fee-returned"' in html
    reached = 5000 - 1000 - 30 + 6
    assert rules.yuan(reached) in html
    ledger = client.get(f"/ledger/{project.slug}/")
    assert ledger.status_code == 200
    assert "Fee returned by the payment provider" in ledger.content.decode() or "支付机构退回的手续费" in ledger.content.decode()


def test_reconciliation_journals_a_fee_given_back_that_only_the_statement_says_and_flags_a_different_one(
        client, project, providers, org_finance):
    from tests.payments.test_reconcile import alipay_line, alipay_statement

    providers.answer_fee = False  # the refund's answer does not say what of the fee came back
    gift = paid(client, project, providers, "alipay")
    other = paid(client, project, providers, "alipay")
    first, second = refund(gift, 5000, actor=org_finance), refund(other, 2500, actor=org_finance)
    assert not JournalEntry.objects.filter(kind="fee_return").exists()
    today = timezone.localdate()
    lines = [
        alipay_line("2026001", gift.pk.hex, "交易", "50.00", "-0.30"),
        alipay_line("2026002", other.pk.hex, "交易", "50.00", "-0.30"),
        alipay_line("2026001", gift.pk.hex, "退款", "-50.00", "0.30", refund_no=str(first.pk)),
        alipay_line("2026002", other.pk.hex, "退款", "-25.00", "0.15", refund_no=str(second.pk)),
    ]
    run = statement_read(provider="alipay", data=alipay_statement(lines, today), source="a.csv", day=today)
    kinds = sorted((f.kind, f.reference) for f in run.findings.all())
    assert kinds == sorted([(Finding.Kind.FEE_RECORDED, str(first.pk)), (Finding.Kind.FEE_RECORDED, str(second.pk))])
    assert returned(gift) == 30 and returned(other) == 15
    assert ledger_problems() == []
    before = snapshot()  # read again: nothing journalled twice
    run = statement_read(provider="alipay", data=alipay_statement(lines, today), source="a.csv", day=today)
    assert snapshot() == before and run.open_findings == 0
    lines[3] = alipay_line("2026002", other.pk.hex, "退款", "-25.00", "0.16", refund_no=str(second.pk))
    run = statement_read(provider="alipay", data=alipay_statement(lines, today), source="a.csv", day=today)
    assert [(f.kind, f.ours, f.theirs) for f in run.findings.filter(resolved=False)] == [(Finding.Kind.FEE_MISMATCH, 15, 16)]


def test_ledger_check_finds_a_fee_given_back_without_a_refund_or_beyond_the_fee(client, project, providers, org_finance):
    import uuid

    from jusha.core.money import Money
    from jusha.ledger.services import _accounts, _cash, _fund, entry_post

    gift = paid(client, project, providers, "alipay")
    done = refund(gift, 5000, actor=org_finance)
    assert ledger_problems() == []
    cash, fund = _accounts(_cash(project.organisation_id, "CNY"), _fund(project))
    stray = str(uuid.uuid4())
    entry_post(kind="fee_return", reference=stray, project=project, lines=[(cash, Money(5, "CNY")), (fund, Money(-5, "CNY"))])
    assert f"fee return entry {stray} has no refund the provider made" in ledger_problems()
    assert done.status == "succeeded"
