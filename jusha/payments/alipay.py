"""Alipay (支付宝), RSA2, through python-alipay-sdk: desktop page pay
(alipay.trade.page.pay) and phone wap pay (alipay.trade.wap.pay), the asynchronous
notification verified with Alipay's public key, alipay.trade.query on expiry,
alipay.trade.close, and partial refunds (alipay.trade.refund with out_request_no, so a
retry never refunds twice). The gateway is JUSHA_ALIPAY_GATEWAY (production by default).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig as SdkConfig
from django.conf import settings
from django.utils.translation import gettext as _

from jusha.payments import config as provider_config
from jusha.payments import rules
from jusha.payments.orders import HostedOrders
from jusha.payments.providers import Event, ProviderError, Refunded
from jusha.payments.signing import SignatureError

logger = logging.getLogger("jusha.payments.alipay")
# python-alipay-sdk configures logging when imported: a DEBUG console handler of its own on
# "python-alipay-sdk", bypassing the site's redaction. Its records go through ours instead.
_sdk_logger = logging.getLogger("python-alipay-sdk")
for _handler in list(_sdk_logger.handlers):
    _sdk_logger.removeHandler(_handler)
_sdk_logger.setLevel(logging.WARNING)
_sdk_logger.propagate = True
BEIJING = ZoneInfo("Asia/Shanghai")
NAME = "alipay"
# Alipay retries an unanswered notification for about 25 hours (4 m, 10 m, 10 m, 1 h, 2 h,
# 6 h, 15 h); one older than that, or from the future, is not Alipay's.
NOTIFY_MAX_AGE = timedelta(hours=26)
NOTIFY_MAX_AHEAD = timedelta(minutes=5)
SUCCEEDED = {"TRADE_SUCCESS", "TRADE_FINISHED"}


def _beijing_now() -> datetime:
    return datetime.fromtimestamp(time.time(), BEIJING)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class AlipayProvider(HostedOrders):
    name = NAME
    answer_ok = "success"  # what Alipay expects back, as text, to stop retrying

    def __init__(self, cfg: provider_config.AlipayConfig | None = None):
        self.config = cfg or provider_config.alipay()
        self.client = AliPay(
            appid=self.config.app_id,
            app_notify_url=self.config.notify_url,
            app_private_key_string=self.config.private_key,
            alipay_public_key_string=self.config.public_key,
            sign_type="RSA2",
            config=SdkConfig(timeout=self.config.timeout),
        )
        self.client._gateway = self.config.gateway  # the SDK knows only production and its sandbox

    # --- orders ---------------------------------------------------------------------
    def fee_for(self, amount: int) -> int:
        return rules.fee_at_rate(amount, self.config.fee_bps)

    def place(self, *, out_trade_no: str, amount: int, description: str, return_url: str, channel: str,
              client_ip: str, expires_at: datetime) -> tuple[str, str]:
        """Nothing to call yet: Alipay's cashier takes the signed order when the payer arrives."""
        return out_trade_no, ""

    def pay_url(self, *, out_trade_no: str, amount: int, description: str, return_url: str, channel: str,
                expires_at: datetime) -> str:
        """The signed address of Alipay's cashier for this order (made afresh each time the
        payer is sent there: the signature carries a timestamp)."""
        method = "alipay.trade.wap.pay" if channel == "mobile" else "alipay.trade.page.pay"
        biz = {
            "subject": description[:256] or "Jusha",
            "out_trade_no": out_trade_no,
            "total_amount": rules.yuan(amount),
            "product_code": "QUICK_WAP_WAY" if channel == "mobile" else "FAST_INSTANT_TRADE_PAY",
            "time_expire": _stamp(expires_at),
        }
        query = self.client.client_api(method, biz, return_url=return_url, notify_url=self.config.notify_url,
                                       timestamp=_stamp(_beijing_now()))
        return f"{self.config.gateway}?{query}"

    def _call(self, method: str, biz: dict) -> dict:
        """A server call, its answer verified with Alipay's public key by the SDK. A
        business refusal comes back as the answer's `code`/`sub_code`; a forged answer is a
        ProviderError; a network failure propagates (the outcome is unknown: ask again)."""
        try:
            return self.client.server_api(method, biz, timestamp=_stamp(_beijing_now()))
        except AliPayValidationError as exc:
            raise ProviderError(_("The payment provider's answer was not signed by it."), code="provider_bad_answer") from exc
        except AliPayException as exc:
            raise ProviderError(_("The payment provider refused the request (%(code)s).") % {"code": exc.code},
                                code="provider_refused") from exc

    def query(self, out_trade_no: str) -> str:
        answer = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if answer.get("code") != "10000":
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return "pending"  # the payer never reached the cashier: nothing to pay yet
            raise ProviderError(_("The payment provider could not say how this payment stands."), code="provider_refused")
        status = answer.get("trade_status")
        if status in SUCCEEDED:
            return "succeeded"
        if status == "TRADE_CLOSED":
            return "cancelled"
        return "pending"  # WAIT_BUYER_PAY

    def cancel(self, out_trade_no: str) -> bool:
        answer = self._call("alipay.trade.close", {"out_trade_no": out_trade_no})
        if answer.get("code") == "10000":
            return True
        # Never created at Alipay (the payer never logged in): time_expire stops it there.
        return answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST"

    def refund(self, *, intent_id: str, amount: int, reason: str, reference: str) -> str:
        answer = self._call("alipay.trade.refund", {
            "out_trade_no": intent_id, "refund_amount": rules.yuan(amount), "out_request_no": reference,
            "refund_reason": reason[:256],
        })
        if answer.get("code") != "10000":
            raise ProviderError(
                _("The payment provider refused the refund: %(why)s") % {"why": answer.get("sub_msg") or answer.get("msg", "")},
                code="provider_refund_refused",
            )
        returned = _returned_fee(answer)
        if returned is None:
            returned = self._refund_fee(intent_id, reference)
        return Refunded(refund_id=f"{answer.get('trade_no', '')}:{reference}"[:64], fee_returned=returned)

    def _refund_fee(self, out_trade_no: str, reference: str) -> int | None:
        """The 服务费 Alipay gave back with a refund, from alipay.trade.fastpay.refund.query
        (`refund_charge_amount`): the refund's own answer does not carry it. None when
        Alipay does not say now (the refund is made either way: the statement tells it)."""
        try:
            answer = self._call("alipay.trade.fastpay.refund.query",
                                {"out_trade_no": out_trade_no, "out_request_no": reference})
        except Exception:  # noqa: BLE001 - the refund is made; only its fee is unknown for now
            logger.warning("could not ask Alipay what fee came back with refund %s", reference)
            return None
        return _returned_fee(answer) if answer.get("code") == "10000" else None

    # --- notifications --------------------------------------------------------------
    def parse_request(self, body: bytes, headers) -> Event:
        """Alipay's asynchronous notification: a form post, signed (RSA2) over every
        parameter but `sign` and `sign_type`, sorted. Refused (SignatureError, nothing
        recorded) unless genuine, for our app, fresh, and about a gift's order."""
        try:
            text = body.decode("utf-8")
            data = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SignatureError("not a form-encoded notification", "signature_malformed") from exc
        charset = data.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            try:
                data = dict(parse_qsl(body.decode(charset), keep_blank_values=True))
            except (LookupError, UnicodeDecodeError) as exc:
                raise SignatureError("notification in an unknown charset", "signature_malformed") from exc
        signature = data.pop("sign", "")
        if not signature:
            raise SignatureError("missing signature", "signature_missing")
        if data.get("sign_type", "RSA2") != "RSA2":
            raise SignatureError("only RSA2 notifications are accepted", "signature_malformed")
        try:
            genuine = self.client.verify(dict(data), signature)
        except (ValueError, TypeError, AliPayException) as exc:
            raise SignatureError("malformed signature", "signature_malformed") from exc
        if not genuine:
            raise SignatureError("signature does not match Alipay's public key", "signature_mismatch")
        data.pop("sign_type", None)
        if data.get("app_id") != self.config.app_id:
            raise SignatureError("notification for another app", "merchant_mismatch")
        sent = _notify_time(data.get("notify_time", ""))
        now = _beijing_now()
        if sent is None or not (now - NOTIFY_MAX_AGE <= sent <= now + NOTIFY_MAX_AHEAD):
            raise SignatureError("notification timestamp outside the tolerance", "signature_stale")
        notify_id, number, status = data.get("notify_id", ""), data.get("out_trade_no", ""), data.get("trade_status", "")
        if not notify_id or not number:
            raise SignatureError("notification without notify_id or out_trade_no", "event_malformed")
        try:
            amount = rules.fen(data.get("total_amount", ""))
        except ValueError as exc:
            raise SignatureError("notification without a valid total_amount", "event_malformed") from exc
        if status in SUCCEEDED:
            kind = "payment.succeeded"
        elif status == "TRADE_CLOSED":
            kind = "payment.failed"
        else:
            kind = "payment.ignored"  # WAIT_BUYER_PAY: nothing to do
        return Event(event_id=notify_id, type=kind, intent_id=number, amount=amount, currency="CNY", payload=data,
                     fee=self.fee_for(amount) if kind == "payment.succeeded" else None)


def _returned_fee(answer: dict) -> int | None:
    """The 服务费 Alipay gave back with a refund: `refund_charge_amount` (yuan: the refund
    query's answer), else the sum of `refund_charge_info_list[].refund_charge_fee`; None
    when the answer says neither (the statement's refund line does, and reconciliation
    journals it)."""
    try:
        if answer.get("refund_charge_amount") not in (None, ""):
            return abs(rules.fen(answer["refund_charge_amount"]))
        charges = answer.get("refund_charge_info_list")
        if isinstance(charges, list) and charges:
            return sum(abs(rules.fen(item.get("refund_charge_fee") or "0")) for item in charges)
    except (ValueError, TypeError, AttributeError):
        logger.warning("Alipay's refund answer has an unreadable returned fee: %r", answer.get("refund_charge_amount"))
    return None


def _notify_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


