"""Reconciliation: each provider's statement, as downloaded, read against the journal.
What the provider has and we do not is recorded now through the notification's own
exactly-once path and flagged; every other difference is reported, nothing double-counted."""

import json
import uuid
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.payments import rules
from jusha.payments.models import Finding, PaymentEvent, Reconciliation
from jusha.payments.reconcile import statement_read
from tests.gifts import refund, snapshot

pytestmark = pytest.mark.django_db
ALIPAY_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
                 "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
                 "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注")


def alipay_line(trade_no, number, kind, amount, fee, refund_no="", when=None):
    when = when or timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    cells = [trade_no, number, kind, "捐赠", when, when, "", "", "", "", "a***@example.com", amount, amount,
             "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", refund_no, fee, "0.00", ""]
    return ",".join(f"{c}\t" for c in cells)


def alipay_statement(lines, day):
    text = "\n".join([
        "#支付宝业务明细查询",
        "#账号：[20881234567890120156]",
        f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   终止日期：[{day:%Y年%m月%d日} 23:59:59]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        ALIPAY_HEADER, *lines,
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#导出时间：[2026年12月07日 09:00:00]",
    ])
    return text.encode("gb18030")  # as Alipay's download is


def paid_by_alipay(client, project, providers, fen=5000):
    from tests.payments.test_alipay import create, notify

    gift = Donation.objects.get(pk=create(client, project, fen).json()["id"])
    providers.alipay_pay(gift.pk.hex, fen)
    notify(client, providers.alipay_notification(gift.pk.hex, rules.yuan(fen)))
    gift.refresh_from_db()
    return gift


def test_alipay_statement_in_gb18030_recovers_a_lost_payment_and_flags_every_difference(client, project, providers, org_finance):
    from tests.payments.test_alipay import create

    today = timezone.localdate()
    recorded = paid_by_alipay(client, project, providers)  # notified: fee 30 journalled at the contracted rate
    lost = Donation.objects.get(pk=create(client, project, 2000).json()["id"])  # paid, its notification lost
    providers.alipay_pay(lost.pk.hex, 2000)
    not_there = paid_by_alipay(client, project, providers, 1000)  # in our books, not on the statement
    refunded = refund(recorded, 1000, actor=org_finance)
    data = alipay_statement([
        alipay_line("2026120622001", recorded.pk.hex, "交易", "50.00", "-0.35"),  # Alipay kept 0.35, we have 0.30
        alipay_line("2026120622002", lost.pk.hex, "交易", "20.00", "-0.12"),
        alipay_line("2026120622001", recorded.pk.hex, "退款", "-10.00", "0.06", refund_no=str(refunded.pk)),  # fee given back
        alipay_line("2026120622009", uuid.uuid4().hex, "交易", "8.00", "-0.05"),  # an order we never placed
        "2026120622003\t,truncated",
    ], today)
    run = statement_read(provider="alipay", data=data, source="alipay.csv")
    assert run.day == today and run.gross == 7800 and run.fees == 52 and run.refunds == 1000
    found = {(f.kind, f.out_trade_no): f for f in run.findings.all()}
    assert found[(Finding.Kind.RECORDED_NOW, lost.pk.hex)].resolved
    lost.refresh_from_db()
    assert lost.status == "paid"
    assert JournalEntry.objects.get(kind="fee", reference=str(lost.pk)).amount == 12  # the statement's fee
    assert PaymentEvent.objects.filter(provider="alipay", event_id="statement:2026120622002").exists()
    mismatch = found[(Finding.Kind.FEE_MISMATCH, recorded.pk.hex)]
    assert (mismatch.ours, mismatch.theirs, mismatch.resolved) == (30, 35, False)
    assert (Finding.Kind.NOT_AT_PROVIDER, not_there.pk.hex) in found
    assert any(k == Finding.Kind.UNKNOWN_ORDER for k, _n in found)
    assert any(k == Finding.Kind.BAD_LINE for k, _n in found)
    assert not any(k == Finding.Kind.REFUND_MISSING_HERE for k, _n in found)  # the refund matched
    assert ledger_problems() == ["payments: alipay statement of %s has 4 difference(s) still open" % today]

    # Read again: what was recorded the first time is found recorded, nothing twice.
    before = snapshot()
    again = statement_read(provider="alipay", data=data, source="alipay.csv")
    assert again.pk == run.pk and snapshot() == before
    assert not again.findings.filter(kind=Finding.Kind.RECORDED_NOW).exists()


def test_a_statement_of_another_provider_or_no_statement_is_refused(providers):
    with pytest.raises(Exception) as refused:
        statement_read(provider="alipay", data=b"id,Type,Amount\n", source="x.csv")
    assert getattr(refused.value, "code", "") == "statement_invalid"
    assert Reconciliation.objects.count() == 0


WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                 "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
                 "手续费,费率,订单金额,申请退款金额,费率备注")


def wechat_row(when, number, state, amount, fee, refund_no="", refunded="0.00"):
    cells = [when, "wxd678efh567hg6787", "1900000109", "0", "", "4200001", number, "oUpF8u", "NATIVE", state, "OTHERS",
             "CNY", amount, "0.00", "5000001" if refund_no else "0", refund_no or "0", refunded, "0.00", "", "", "捐赠", "",
             fee, "0.60%", amount, refunded, ""]
    return ",".join("`" + c for c in cells)


def wechat_bill(rows: list[str]) -> bytes:
    """A 交易账单 as WeChat Pay sends it: the rows, then the summary block that counts them."""
    return "\n".join([WECHAT_HEADER, *rows, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
                      f"`{len(rows)},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00", ""]).encode()


def test_wechat_trade_bill_and_the_management_command(client, project, providers):
    from tests.payments.test_wechatpay import create, notify

    gift = Donation.objects.get(pk=create(client, project).json()["id"])
    providers.wechat_pay(gift.pk.hex)
    notify(client, *providers.wechat_notification(gift.pk.hex, 5000))
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    text = "\n".join([WECHAT_HEADER, wechat_row(now, gift.pk.hex, "SUCCESS", "50.00", "0.30000"),
                      "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
                      "`1,`50.00,`0.00,`0.00,`0.30000,`50.00,`0.00"])
    path = providers_tmp(text.encode())
    out = StringIO()
    call_command("payments_reconcile", "--provider", "wechatpay", path, stdout=out)
    assert "1 matched" in out.getvalue() and "payments_reconcile: ok" in out.getvalue()
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "1 provider day(s) reconciled clean" in out.getvalue()


def providers_tmp(data: bytes) -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)
    handle.write(data)
    handle.close()
    return handle.name


def test_stripe_balance_transactions_record_the_fee_the_webhook_could_not_read(client, project, providers):
    from tests.payments.test_stripe import create, webhook

    gift = Donation.objects.get(pk=create(client, project).json()["id"])
    providers.stripe_pay(gift.intent_id, fee=None)  # the balance transaction has no fee yet
    body = providers.stripe_event(gift.intent_id)
    assert webhook(client, body, providers.stripe_signature(body)).status_code == 200
    assert not JournalEntry.objects.filter(kind="fee").exists()
    created = timezone.now().astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%d %H:%M")
    csv_text = ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"
                f"txn_1,charge,ch_1,50.00,1.75,48.25,cny,{created},{created},Jusha gift {gift.pk.hex}\n")
    run = statement_read(provider="stripe", data=csv_text.encode(), source="stripe.csv", day=timezone.localdate())
    assert [f.kind for f in run.findings.all()] == [Finding.Kind.FEE_RECORDED]
    assert JournalEntry.objects.get(kind="fee", reference=str(gift.pk)).amount == 175
    assert ledger_problems() == []


def test_a_missing_file_or_provider_is_a_clear_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("payments_reconcile", "--provider", "alipay", str(tmp_path / "none.csv"))


def test_the_report_page_is_for_platform_staff(client, staff, donor, providers):
    run = Reconciliation.objects.create(provider="alipay", day=date(2026, 12, 1), source="a.csv", lines=1)
    Finding.objects.create(reconciliation=run, kind=Finding.Kind.AMOUNT_MISMATCH, out_trade_no="ab" * 16, ours=100, theirs=90)
    client.force_login(donor)
    assert client.get("/pay/reconciliation/").status_code == 403
    assert client.get(f"/pay/reconciliation/{run.pk}/").status_code == 403
    client.force_login(staff)
    page = client.get(f"/pay/reconciliation/{run.pk}/")
    assert page.status_code == 200 and "ab" * 16 in page.content.decode()
    assert "2026-12-01" in client.get("/pay/reconciliation/").content.decode()


def test_rules_read_amounts_exactly():
    assert rules.fen("12.34") == 1234 and rules.fen("-0.06") == -6 and rules.fen("`0.30000") == 30
    assert rules.fee_at_rate(5000, 60) == 30 and rules.fee_at_rate(125, 60) == 1 and rules.fee_at_rate(83, 60) == 0
    with pytest.raises(ValueError):
        rules.fen("0.001")
    assert rules.yuan(5) == "0.05" and rules.out_trade_no(str(uuid.UUID(int=1))) == "0" * 31 + "1"


def test_the_daily_run_downloads_each_providers_statement_once_when_ready(client, project, providers):
    from jusha.payments.statements import statements_reconcile_due
    from tests.payments.test_stripe import create as stripe_create
    from tests.payments.test_stripe import webhook
    from tests.payments.test_wechatpay import create as wechat_create
    from tests.payments.test_wechatpay import notify as wechat_notify

    today = timezone.localdate()
    yesterday = today - timezone.timedelta(days=1)
    # WeChat Pay: a gift whose notification never came; Alipay: one notified; Stripe: one with its fee.
    lost = Donation.objects.get(pk=wechat_create(client, project).json()["id"])
    providers.wechat_pay(lost.pk.hex)
    when = f"{yesterday} 10:00:00"
    providers.bills[("wechatpay", str(yesterday))] = wechat_bill(
        [wechat_row(when, lost.pk.hex, "SUCCESS", "50.00", "0.30000")])
    paid = paid_by_alipay(client, project, providers)
    providers.bills[("alipay", str(yesterday))] = alipay_statement(
        [alipay_line("2026120522001", paid.pk.hex, "交易", "50.00", "-0.30", when=when)], yesterday)
    card = Donation.objects.get(pk=stripe_create(client, project).json()["id"])
    providers.stripe_pay(card.intent_id, fee=175)
    body = providers.stripe_event(card.intent_id)
    webhook(client, body, providers.stripe_signature(body))
    providers.balance_transactions = [{"id": "txn_1", "object": "balance_transaction", "type": "charge", "amount": 5000,
                                       "fee": 175, "currency": "cny", "created": int(timezone.now().timestamp()) - 86400,
                                       "description": f"Jusha gift {card.pk.hex}"}]

    assert statements_reconcile_due(today=today, days=1) == 3
    lost.refresh_from_db()
    assert lost.status == "paid"  # recovered from WeChat Pay's statement
    runs = {r.provider: r for r in Reconciliation.objects.filter(day=yesterday)}
    assert set(runs) == {"alipay", "wechatpay", "stripe"}
    assert [f.kind for f in runs["wechatpay"].findings.all()] == [Finding.Kind.RECORDED_NOW]
    assert runs["alipay"].matched == 1 and runs["stripe"].matched == 1
    before = snapshot()
    assert statements_reconcile_due(today=today, days=1) == 0  # once a day
    # The day before: Alipay and WeChat Pay have no statement (tried again next run); Stripe's
    # list for a past day is final: an empty day, reconciled.
    assert statements_reconcile_due(today=today, days=2) == 1
    assert Reconciliation.objects.get(provider="stripe", day=yesterday - timezone.timedelta(days=1)).lines == 0
    assert snapshot() == before


def test_the_command_downloads_a_days_statement(client, project, providers):
    from tests.payments.test_wechatpay import create, notify

    gift = Donation.objects.get(pk=create(client, project).json()["id"])
    providers.wechat_pay(gift.pk.hex)
    notify(client, *providers.wechat_notification(gift.pk.hex, 5000))
    day = timezone.localdate()
    providers.bills[("wechatpay", str(day))] = wechat_bill(
        [wechat_row(f"{day} 09:00:00", gift.pk.hex, "SUCCESS", "50.00", "0.30000")])
    out = StringIO()
    call_command("payments_reconcile", "--provider", "wechatpay", "--download", "--day", str(day), stdout=out)
    assert "1 matched" in out.getvalue()
    with pytest.raises(CommandError, match="not ready"):
        call_command("payments_reconcile", "--provider", "alipay", "--download", "--day", str(day))
    with pytest.raises(CommandError, match="FILE"):
        call_command("payments_reconcile", "--provider", "alipay")
