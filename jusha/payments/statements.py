"""Daily statements fetched from the providers that offer a download, and reconciled
(the worker's schedule: `statements_reconcile_due`). WeChat Pay's 交易账单
(`/v3/bill/tradebill`, gzip, its SHA1 checked), Alipay's 业务明细 (the zip behind
`alipay.data.dataservice.bill.downloadurl.query`), Stripe's balance transactions (the API's
list for the day). A statement not ready yet (the providers publish the day's after about
10:00 Beijing time) is tried again at the next run.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import zipfile
from datetime import date, datetime, time, timedelta
from urllib.request import urlopen
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from jusha.payments import config, rules
from jusha.payments.models import Reconciliation
from jusha.payments.providers import ProviderError, get_provider
from jusha.payments.reconcile import reconcile, statement_read

logger = logging.getLogger("jusha.payments.statements")
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_BYTES = 64 << 20


def _wechatpay(provider, day: date) -> bytes:
    code, message = provider.client.trade_bill(bill_date=day.isoformat(), bill_type="ALL", tar_type="GZIP")
    answer = json.loads(message) if isinstance(message, str) and message else {}
    if code != 200 or not answer.get("download_url"):
        raise ProviderError(_("The statement is not ready: %(why)s") % {"why": answer.get("message", code)},
                            code="statement_not_ready")
    code, content = provider.client.download_bill(answer["download_url"])
    if code != 200 or not isinstance(content, bytes):
        raise ProviderError(_("The statement could not be downloaded."), code="statement_not_ready")
    if answer.get("hash_type", "SHA1").upper() == "SHA1" and answer.get("hash_value") and \
            hashlib.sha1(content).hexdigest() != answer["hash_value"].lower():  # noqa: S324 - WeChat Pay's own checksum
        raise ProviderError(_("The downloaded statement does not match its checksum."), code="statement_corrupt")
    return gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content


def _alipay(provider, day: date) -> bytes:
    answer = provider._call("alipay.data.dataservice.bill.downloadurl.query",
                            {"bill_type": "trade", "bill_date": day.isoformat()})
    url = answer.get("bill_download_url")
    if answer.get("code") != "10000" or not url:
        raise ProviderError(_("The statement is not ready: %(why)s") % {"why": answer.get("sub_msg") or answer.get("msg", "")},
                            code="statement_not_ready")
    with urlopen(url, timeout=provider.config.timeout * 3) as response:  # noqa: S310 - Alipay's signed answer names it
        archive = response.read(MAX_BYTES + 1)
    if len(archive) > MAX_BYTES:
        raise ProviderError(_("The statement is too large."), code="statement_corrupt")
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        for name in bundle.namelist():  # 业务明细 and 业务明细(汇总): only the first has the lines
            data = bundle.read(name)
            try:
                rules.parse_alipay(data)
            except rules.StatementError:
                continue
            return data
    raise ProviderError(_("The downloaded statement has no 业务明细."), code="statement_corrupt")


def _stripe(provider, day: date) -> rules.Statement:
    start = datetime.combine(day, time.min, tzinfo=BEIJING)
    lines, cursor = [], None
    while True:
        params = {"created": {"gte": int(start.timestamp()), "lt": int((start + timedelta(days=1)).timestamp())}, "limit": 100}
        if cursor:
            params["starting_after"] = cursor
        page = provider._call(provider.client.v1.balance_transactions.list, params=params)
        for txn in page.data:
            kind = {"charge": rules.PAYMENT, "payment": rules.PAYMENT, "refund": rules.REFUND,
                    "payment_refund": rules.REFUND}.get(txn.type)
            if kind is None:
                continue
            found = rules.HEX_ID.findall(txn.description or "")
            lines.append(rules.Line(
                number=len(lines) + 1, kind=kind, out_trade_no=found[0] if found else "", amount=abs(int(txn.amount)),
                fee=abs(int(txn.fee or 0)), currency=str(txn.currency).upper(), provider_id=txn.id,
                when=datetime.fromtimestamp(int(txn.created), BEIJING).replace(tzinfo=None),
            ))
        if not page.has_more or not page.data:
            break
        cursor = page.data[-1].id
    return rules.Statement("stripe", lines, [], day)


FETCHERS = {"wechatpay": _wechatpay, "alipay": _alipay, "stripe": _stripe}


def statement_fetch_and_reconcile(*, provider_name: str, day: date) -> Reconciliation:
    provider = get_provider(provider_name)
    fetched = FETCHERS[provider_name](provider, day)
    source = f"{provider_name} download {day.isoformat()}"
    if isinstance(fetched, rules.Statement):
        return reconcile(provider=provider_name, statement=fetched, day=day, source=source)
    return statement_read(provider=provider_name, data=fetched, source=source, day=day)


def statements_reconcile_due(*, today: date | None = None, days: int = 3) -> int:
    """Periodic: each configured provider's statements of the last `days` days (yesterday
    first) not yet reconciled, fetched and reconciled. Returns how many were."""
    today = today or datetime.now(BEIJING).date()
    done = 0
    for name in config.configured():
        for back in range(1, days + 1):
            day = today - timedelta(days=back)
            if Reconciliation.objects.filter(provider=name, day=day).exists():
                continue
            try:
                statement_fetch_and_reconcile(provider_name=name, day=day)
            except ProviderError as exc:
                logger.info("%s statement of %s not reconciled now: %s", name, day, exc.detail)
                continue
            except Exception:  # noqa: BLE001 - one provider's failure must not stop the others
                logger.exception("%s statement of %s could not be fetched", name, day)
                continue
            done += 1
    return done
