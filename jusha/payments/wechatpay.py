"""WeChat Pay API v3 (微信支付), through wechatpayv3: Native pay (a QR code on a computer,
drawn by our own pay page) and H5 pay on phones; notifications verified with the platform
certificate (or WeChat Pay's public key) and decrypted (AEAD_AES_256_GCM with the API v3
key); the order queried on expiry and closed; refunds with out_refund_no (the same number
never refunds twice). The gateway is JUSHA_WECHATPAY_GATEWAY (production by default).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core

from jusha.payments import config as provider_config
from jusha.payments import rules
from jusha.payments.orders import HostedOrders
from jusha.payments.providers import Event, ProviderError, Refunded
from jusha.payments.signing import SignatureError

logger = logging.getLogger("jusha.payments.wechatpay")
NAME = "wechatpay"
BEIJING = ZoneInfo("Asia/Shanghai")
TOLERANCE = 300  # seconds: WeChat Pay signs each delivery afresh, retries included
HEADERS = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial",
           "Wechatpay-Signature-Type")


class WeChatPayProvider(HostedOrders):
    name = NAME
    answer_ok = None  # 204, no body

    def __init__(self, cfg: provider_config.WeChatPayConfig | None = None):
        self.config = cfg or provider_config.wechatpay()
        self._client: WeChatPay | None = None

    @property
    def client(self) -> WeChatPay:
        """Made on first use: without a certificate directory or public key the SDK
        downloads the platform certificates from the gateway (/v3/certificates)."""
        if self._client is None:
            try:
                self._client = _Client(self.config)
            except Exception as exc:  # noqa: BLE001 - the SDK raises bare Exception
                logger.error("WeChat Pay client not ready: %s", exc)
                raise ProviderError(_("WeChat Pay's platform certificate could not be loaded."),
                                    code="provider_unavailable") from exc
        return self._client

    def fee_for(self, amount: int) -> int:
        return rules.fee_at_rate(amount, self.config.fee_bps)

    def _answer(self, result) -> tuple[int, dict]:
        code, message = result
        try:
            body = json.loads(message) if message else {}
        except (TypeError, ValueError):
            body = {}
        return code, body

    # --- orders ---------------------------------------------------------------------
    def place(self, *, out_trade_no, amount, description, return_url, channel, client_ip, expires_at) -> tuple[str, str]:
        kind = WeChatPayType.H5 if channel == "mobile" else WeChatPayType.NATIVE
        scene = {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}} if kind == WeChatPayType.H5 else None
        code, body = self._answer(self.client.pay(
            description=description[:127] or "Jusha", out_trade_no=out_trade_no,
            amount={"total": amount, "currency": "CNY"}, pay_type=kind, scene_info=scene,
            time_expire=expires_at.astimezone(BEIJING).isoformat(timespec="seconds"),
        ))
        url = body.get("code_url") if kind == WeChatPayType.NATIVE else body.get("h5_url")
        if code != 200 or not url:
            logger.error("WeChat Pay refused order %s: %s %s", out_trade_no, code, body)
            raise ProviderError(_("WeChat Pay refused the order: %(why)s") % {"why": body.get("message", code)},
                                code="provider_refused")
        return out_trade_no, url

    def query(self, out_trade_no: str) -> str:
        code, body = self._answer(self.client.query(out_trade_no=out_trade_no))
        if code == 404 or body.get("code") == "ORDER_NOT_EXIST":
            return "pending"
        if code != 200:
            raise ProviderError(_("The payment provider could not say how this payment stands."), code="provider_refused")
        return {"SUCCESS": "succeeded", "REFUND": "succeeded", "CLOSED": "cancelled", "REVOKED": "cancelled",
                "PAYERROR": "failed"}.get(body.get("trade_state"), "pending")

    def cancel(self, out_trade_no: str) -> bool:
        code, body = self._answer(self.client.close(out_trade_no=out_trade_no))
        return code in (200, 204) or body.get("code") == "ORDER_NOT_EXIST"

    def refund(self, *, intent_id: str, amount: int, reason: str, reference: str) -> str:
        from jusha.payments.models import ProviderOrder

        order = ProviderOrder.objects.filter(provider=NAME, intent_id=intent_id).first()
        if order is None:
            raise ProviderError(_("The payment provider does not know this payment."), code="provider_unknown_intent")
        code, body = self._answer(self.client.refund(
            out_refund_no=reference, out_trade_no=intent_id, reason=reason[:80] or None,
            amount={"refund": amount, "total": order.amount, "currency": "CNY"},
        ))
        if code != 200:
            raise ProviderError(
                _("The payment provider refused the refund: %(why)s") % {"why": body.get("message", code)},
                code="provider_refund_refused",
            )
        returned = (body.get("amount") or {}).get("refund_fee")  # 手续费退款金额, fen
        return Refunded(refund_id=str(body.get("refund_id") or reference)[:64],
                        fee_returned=abs(int(returned)) if isinstance(returned, int) and not isinstance(returned, bool) else None)

    # --- notifications --------------------------------------------------------------
    def parse_request(self, body: bytes, headers) -> Event:
        """WeChat Pay's notification: the body signed (SHA256-RSA2048) with the platform
        certificate named by Wechatpay-Serial, its resource encrypted with our API v3 key.
        Refused unless genuine, fresh, for our merchant and app, and a gift's order."""
        found = {name: headers.get(name, "") for name in HEADERS}
        if not found["Wechatpay-Signature"]:
            raise SignatureError("missing signature", "signature_missing")
        stamp = found["Wechatpay-Timestamp"]
        if not stamp.isdigit() or len(stamp) > 12:
            raise SignatureError("malformed timestamp", "signature_malformed")
        if abs(int(time.time()) - int(stamp)) > TOLERANCE:
            raise SignatureError("signature timestamp outside the tolerance", "signature_stale")
        try:
            event = self.client.callback(found, body)
        except ProviderError:
            raise
        except Exception as exc:  # noqa: BLE001 - the SDK raises bare Exception on bad input
            raise SignatureError("malformed notification", "signature_malformed") from exc
        if not event:
            if _serial(found["Wechatpay-Serial"]) in getattr(self.client._core, "untrusted", ()):
                raise SignatureError("signed with a platform certificate that does not chain to WeChat Pay's CA",
                                     "certificate_untrusted")
            raise SignatureError("signature does not match the platform certificate", "signature_mismatch")
        resource = event.get("resource") or {}
        if not isinstance(resource, dict) or not event.get("id"):
            raise SignatureError("notification without an id or resource", "event_malformed")
        if event.get("event_type", "").startswith("REFUND."):
            return Event(event_id=str(event["id"]), type="payment.ignored", intent_id=str(resource.get("out_trade_no", "")),
                         amount=0, currency="CNY", payload=event)
        if resource.get("mchid") != self.config.mchid or resource.get("appid") != self.config.appid:
            raise SignatureError("notification for another merchant", "merchant_mismatch")
        amount = resource.get("amount") or {}
        try:
            total, currency = int(amount["total"]), str(amount.get("currency", "CNY"))
            number = str(resource["out_trade_no"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SignatureError("notification without an order or amount", "event_malformed") from exc
        state = resource.get("trade_state")
        kind = {"SUCCESS": "payment.succeeded", "PAYERROR": "payment.failed", "CLOSED": "payment.failed"}.get(
            state, "payment.ignored")
        return Event(event_id=str(event["id"]), type=kind, intent_id=number, amount=total, currency=currency,
                     payload=event, fee=self.fee_for(total) if kind == "payment.succeeded" else None)


class _Core(Core):
    """The SDK's core, at our gateway from the start (it downloads the platform
    certificates in its constructor, from a gateway it hard-codes), trusting only the
    platform certificates that chain to WeChat Pay's CA.

    wechatpayv3 itself trusts any certificate it finds in the certificate folder or that
    /v3/certificates serves decrypted with the API v3 key (the download is not verified
    against anything else). Here each is checked against the CA roots of
    JUSHA_WECHATPAY_CA_FILE: issued and signed by one of them and within its validity;
    the others are dropped (their serials kept in `untrusted`, so a notification signed
    with one is refused as such)."""

    gateway = ""
    roots: tuple = ()

    def _init_certificates(self):
        self._gate_way = self.gateway
        self.untrusted: set[int] = set()
        try:
            super()._init_certificates()
        finally:
            self._keep_chained()
        if not self._certificates and not self._public_key:
            self._update_certificates()  # the pinned folder held none that chains: ask the gateway
        if not self._certificates and not self._public_key:
            raise Exception("no WeChat Pay platform certificate chains to WeChat Pay's CA (JUSHA_WECHATPAY_CA_FILE)")

    def _update_certificates(self):
        super()._update_certificates()
        self._keep_chained()

    def _keep_chained(self):
        if self._public_key:  # WeChat Pay's public key mode: no platform certificates at all
            return
        kept = []
        for certificate in self._certificates:
            if chains_to(certificate, self.roots):
                kept.append(certificate)
            else:
                self.untrusted.add(certificate.serial_number)
                logger.error("WeChat Pay platform certificate %X does not chain to WeChat Pay's CA: not trusted",
                             certificate.serial_number)
        self._certificates[:] = kept


def chains_to(certificate, roots) -> bool:
    """Whether `certificate` was issued and signed by one of the CA `roots`, and both are
    valid now (a root is not its own platform certificate)."""
    from datetime import timezone as tz

    from cryptography.exceptions import InvalidSignature

    now = datetime.now(tz.utc)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return False
    for root in roots:
        if certificate.issuer != root.subject or certificate == root:
            continue
        if not root.not_valid_before_utc <= now <= root.not_valid_after_utc:
            continue
        try:
            certificate.verify_directly_issued_by(root)
        except (InvalidSignature, ValueError, TypeError):
            continue
        return True
    return False


class _Client(WeChatPay):
    """WeChatPay with its core at JUSHA_WECHATPAY_GATEWAY (what WeChatPay.__init__ sets, and
    the core made by the subclass above)."""

    def __init__(self, cfg: provider_config.WeChatPayConfig):
        self._type = WeChatPayType.NATIVE
        self._mchid = cfg.mchid
        self._appid = cfg.appid
        self._notify_url = cfg.notify_url
        self._partner_mode = False
        roots = tuple(provider_config.ca_roots(cfg.ca_certs)) if cfg.ca_certs else ()
        core = type("_GatewayCore", (_Core,), {"gateway": cfg.gateway, "roots": roots})
        self._core = core(
            mchid=cfg.mchid, cert_serial_no=cfg.cert_serial_no, private_key=cfg.private_key, apiv3_key=cfg.apiv3_key,
            cert_dir=cfg.platform_cert_dir or None, logger=None, proxy=None, timeout=(5, cfg.timeout),
            public_key=cfg.public_key or None, public_key_id=cfg.public_key_id or None,
        )
        self._core._gate_way = cfg.gateway


def _serial(text: str) -> int | None:
    try:
        return int(text, 16)
    except (TypeError, ValueError):
        return None


def beijing(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING)
