"""Stand-ins for the providers' gateways, on loopback: real HTTP servers that answer the
SDKs as Alipay, WeChat Pay and Stripe document, signing with keys made here. The adapters
and SDKs run unchanged; only the address they call is ours (JUSHA_<PROVIDER>_GATEWAY /
JUSHA_STRIPE_API_BASE). Notifications are built and signed the same way.

Each gateway keeps its own book of orders and refunds (refunds idempotent by the
merchant's refund number, as the providers are), and can be told to be slow.
"""

from __future__ import annotations

import base64
import gzip
import io
import zipfile
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

BEIJING = ZoneInfo("Asia/Shanghai")


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def rsa2_sign(key, text: str) -> str:
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(key, text: str, signature: str) -> bool:
    try:
        key.public_key().verify(base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except Exception:  # noqa: BLE001
        return False
    return True


def self_signed(key, *, name: str, serial: int | None = None, days: int = 365):
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(serial or x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))


def issued(key, *, name: str, ca_key, ca_cert, days: int = 365):
    """A certificate for `key` issued and signed by a CA."""
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
            .sign(ca_key, hashes.SHA256()))


class Gateway:
    """One loopback server for all three providers (paths tell them apart)."""

    def __init__(self):
        # Alipay: our app's key pair (the gateway verifies requests) and Alipay's own.
        self.app_key, self.alipay_key = rsa_key(), rsa_key()
        self.app_id = "2021000000000001"
        # WeChat Pay: the merchant's API key, the platform certificate, the API v3 key.
        self.mch_key, self.platform_key = rsa_key(), rsa_key()
        # The platform certificate is issued by WeChat Pay's CA (here one made for the test,
        # named as the real one is); the site trusts only what chains to it.
        self.ca_key = rsa_key()
        self.ca_cert = self_signed(self.ca_key, name="Tenpay.com Root CA", days=3650)
        self.platform_cert = issued(self.platform_key, name="Tenpay.com sign", ca_key=self.ca_key, ca_cert=self.ca_cert)
        self.extra_certs: list = []  # more certificates /v3/certificates serves (a rogue one, in tests)
        self.platform_serial = format(self.platform_cert.serial_number, "X")
        self.apiv3_key = secrets.token_hex(16)
        self.mchid, self.appid = "1900000109", "wxd678efh567hg6787"
        # Stripe
        self.stripe_secret, self.webhook_secret = "sk_test_" + secrets.token_hex(12), "whsec_" + secrets.token_hex(16)
        self.orders: dict[str, dict] = {}  # out_trade_no (Stripe: session id) -> order
        self.refunds: dict[str, dict] = {}  # the merchant's refund number -> refund
        self.requests: list[tuple[str, str]] = []
        self.bills: dict[tuple[str, str], bytes] = {}  # (provider, "YYYY-MM-DD") -> the statement file
        self.balance_transactions: list[dict] = []  # Stripe's, for the list endpoint
        self.delay = 0.0  # seconds to wait before answering a refund (a timeout on our side)
        self.answer_fee = True  # say in a refund's answer what of the fee comes back (else only the statement says)
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def write_keys(self, folder) -> dict:
        """The files a site's operator would have, and the settings that name them."""
        files = {
            "alipay_app": (private_pem(self.app_key)), "alipay_public": public_pem(self.alipay_key),
            "wechat_key": private_pem(self.mch_key),
            "wechat_ca": self.ca_cert.public_bytes(serialization.Encoding.PEM).decode(),
        }
        paths = {}
        for name, text in files.items():
            path = os.path.join(folder, name + ".pem")
            with open(path, "w") as handle:
                handle.write(text)
            paths[name] = path
        return {
            "JUSHA_ALIPAY_APP_ID": self.app_id, "JUSHA_ALIPAY_PRIVATE_KEY_FILE": paths["alipay_app"],
            "JUSHA_ALIPAY_PUBLIC_KEY_FILE": paths["alipay_public"], "JUSHA_ALIPAY_GATEWAY": self.url + "/gateway.do",
            "JUSHA_ALIPAY_FEE_BPS": "60",
            "JUSHA_WECHATPAY_MCHID": self.mchid, "JUSHA_WECHATPAY_APPID": self.appid,
            "JUSHA_WECHATPAY_CERT_SERIAL_NO": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "JUSHA_WECHATPAY_PRIVATE_KEY_FILE": paths["wechat_key"], "JUSHA_WECHATPAY_APIV3_KEY": self.apiv3_key,
            "JUSHA_WECHATPAY_GATEWAY": self.url, "JUSHA_WECHATPAY_FEE_BPS": "60",
            "JUSHA_WECHATPAY_CA_FILE": paths["wechat_ca"],
            "JUSHA_STRIPE_SECRET_KEY": self.stripe_secret, "JUSHA_STRIPE_WEBHOOK_SECRET": self.webhook_secret,
            "JUSHA_STRIPE_API_BASE": self.url,
        }

    # --- Alipay ---------------------------------------------------------------------
    def alipay_pay(self, out_trade_no: str, total: int, *, status="TRADE_SUCCESS"):
        """The payer paid at Alipay's cashier."""
        with self.lock:
            order = self.orders.setdefault(out_trade_no, {"refunded": 0})
            order.update(status=status, trade_no="2026" + secrets.token_hex(12), paid=status != "WAIT_BUYER_PAY", total=total)

    def alipay_notification(self, out_trade_no: str, total: str, *, status="TRADE_SUCCESS", app_id=None, notify_id=None,
                            key=None, notify_time=None, **extra) -> bytes:
        """Alipay's asynchronous notification, as its documentation builds it: every
        parameter but sign and sign_type, sorted by name, joined as k=v with &, signed
        RSA2 (SHA256withRSA) with Alipay's private key, base64; posted form-encoded."""
        now = notify_time or dt.datetime.now(BEIJING)
        params = {
            "notify_time": now.strftime("%Y-%m-%d %H:%M:%S"), "notify_type": "trade_status_sync",
            "notify_id": notify_id or secrets.token_hex(16), "app_id": app_id or self.app_id, "charset": "utf-8",
            "version": "1.0", "trade_no": self.orders.get(out_trade_no, {}).get("trade_no", "2026" + secrets.token_hex(12)),
            "out_trade_no": out_trade_no, "trade_status": status, "total_amount": total, "receipt_amount": total,
            "buyer_pay_amount": total, "gmt_payment": now.strftime("%Y-%m-%d %H:%M:%S"), "subject": "捐赠",
            **extra,
        }
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        params["sign"] = rsa2_sign(key or self.alipay_key, unsigned)
        params["sign_type"] = "RSA2"
        return urlencode(params).encode()

    def _alipay(self, query: dict) -> tuple[int, dict, bytes]:
        # A request is signed over every parameter but `sign` (sign_type included; only a
        # notification leaves sign_type out).
        sign = query.pop("sign", "")
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        method = query.get("method", "")
        response_type = method.replace(".", "_") + "_response"
        if not rsa2_verify(self.app_key, unsigned, sign):
            inner = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"}
            return self._alipay_answer(response_type, inner)
        biz = json.loads(query.get("biz_content") or "{}")
        number = biz.get("out_trade_no", "")
        if method in ("alipay.trade.page.pay", "alipay.trade.wap.pay"):  # the payer's browser at the cashier
            with self.lock:
                self.orders.setdefault(number, {"refunded": 0, "status": "WAIT_BUYER_PAY", "total": _fen(biz["total_amount"]),
                                                "return_url": query.get("return_url", "")})
            page = (f"<!doctype html><meta charset=utf-8><title>支付宝收银台</title><h1 data-testid=alipay-cashier>"
                    f"支付宝 · ¥{biz['total_amount']}</h1><p>{biz.get('subject', '')}</p>")
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
        with self.lock:
            order = self.orders.get(number)
            if method == "alipay.trade.query":
                if order is None:
                    inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
                else:
                    inner = {"code": "10000", "msg": "Success", "out_trade_no": number, "trade_status": order["status"]}
            elif method == "alipay.trade.close":
                if order is None:
                    inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
                elif order["status"] == "WAIT_BUYER_PAY":
                    order["status"] = "TRADE_CLOSED"
                    inner = {"code": "10000", "msg": "Success"}
                else:
                    inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
            elif method == "alipay.data.dataservice.bill.downloadurl.query":
                if ("alipay", biz.get("bill_date")) in self.bills:
                    inner = {"code": "10000", "msg": "Success",
                             "bill_download_url": f"{self.url}/alipay-bill/{biz['bill_date']}.csv.zip"}
                else:
                    inner = {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_not_exist",
                             "sub_msg": "账单不存在"}
            elif method == "alipay.trade.fastpay.refund.query":  # the refund, with the 服务费 it gave back
                done = self.refunds.get(biz.get("out_request_no", ""))
                if done is None or done["order"] != number:
                    inner = {"code": "10000", "msg": "Success"}  # Alipay's answer for a refund it does not know
                else:
                    inner = {"code": "10000", "msg": "Success", "out_trade_no": number, "out_request_no": biz["out_request_no"],
                             "refund_amount": _yuan(done["amount"]), "refund_status": "REFUND_SUCCESS",
                             **({"refund_charge_amount": _yuan(done["fee_returned"])} if self.answer_fee else {})}
            elif method == "alipay.trade.refund":
                inner = self._refund(number, biz.get("out_request_no", ""), _fen(biz.get("refund_amount", "0")))
                if inner.get("ok"):
                    inner = {"code": "10000", "msg": "Success", "out_trade_no": number, "trade_no": order["trade_no"],
                             "refund_fee": biz["refund_amount"], "fund_change": inner["fund_change"]}
                else:
                    inner = {"code": "40004", "msg": "Business Failed", "sub_code": inner["sub_code"],
                             "sub_msg": inner["sub_code"]}
            else:
                inner = {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
        if method == "alipay.trade.refund" and self.delay:
            time.sleep(self.delay)
        return self._alipay_answer(response_type, inner)

    def _alipay_answer(self, response_type: str, inner: dict):
        text = json.dumps(inner, ensure_ascii=False)
        body = '{"%s":%s,"sign":"%s"}' % (response_type, text, rsa2_sign(self.alipay_key, text))
        return 200, {"Content-Type": "text/html;charset=utf-8"}, body.encode()

    def _refund(self, number: str, reference: str, amount: int) -> dict:
        order = self.orders.get(number)
        if order is None or not order.get("paid"):
            return {"ok": False, "sub_code": "ACQ.TRADE_NOT_EXIST"}
        done = self.refunds.get(reference)
        if done is not None:  # the same refund number: the first refund's answer, no money moves
            return {"ok": True, "fund_change": "N", "refund": done}
        if order["refunded"] + amount > order["total"]:
            return {"ok": False, "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}
        # The fee comes back in proportion to what is refunded, all of it with the last fen
        # (Alipay and WeChat Pay; the fee here is the 60 bps both are configured with).
        fee = (order["total"] * 60 + 5000) // 10000
        before = fee * order["refunded"] // order["total"]
        order["refunded"] += amount
        returned = fee * order["refunded"] // order["total"] - before
        done = self.refunds[reference] = {"id": "50" + secrets.token_hex(10), "amount": amount, "order": number,
                                          "fee_returned": returned}
        return {"ok": True, "fund_change": "Y", "refund": done}

    # --- WeChat Pay -----------------------------------------------------------------
    def _wechat_sign(self, body: str, key=None, serial=None) -> dict:
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa2_sign(key or self.platform_key, f"{stamp}\n{nonce}\n{body}\n")
        return {"Wechatpay-Timestamp": stamp, "Wechatpay-Nonce": nonce, "Wechatpay-Signature": signature,
                "Wechatpay-Serial": serial or self.platform_serial, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}

    def encrypt(self, plaintext: str, associated_data: str) -> dict:
        nonce = secrets.token_hex(6)
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(nonce.encode(), plaintext.encode(), associated_data.encode())
        return {"algorithm": "AEAD_AES_256_GCM", "nonce": nonce, "associated_data": associated_data,
                "ciphertext": base64.b64encode(ciphertext).decode()}

    def wechat_pay(self, out_trade_no: str):
        with self.lock:
            self.orders[out_trade_no].update(trade_state="SUCCESS", paid=True, transaction_id="42" + secrets.token_hex(12))

    def wechat_notification(self, out_trade_no: str, total: int, *, mchid=None, appid=None, event_id=None,
                            key=None, serial=None, stamp=None, currency="CNY", state="SUCCESS") -> tuple[bytes, dict]:
        """WeChat Pay's payment notification: the transaction encrypted (AEAD_AES_256_GCM,
        API v3 key), the body signed "timestamp\\nnonce\\nbody\\n" with the platform key."""
        transaction = {
            "mchid": mchid or self.mchid, "appid": appid or self.appid, "out_trade_no": out_trade_no,
            "transaction_id": self.orders.get(out_trade_no, {}).get("transaction_id", "42" + secrets.token_hex(12)),
            "trade_type": "NATIVE", "trade_state": state, "trade_state_desc": "支付成功", "bank_type": "OTHERS",
            "success_time": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {"total": total, "payer_total": total, "currency": currency, "payer_currency": currency},
        }
        body = json.dumps({
            "id": event_id or secrets.token_hex(16), "create_time": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
            "resource": {"original_type": "transaction", **self.encrypt(json.dumps(transaction), "transaction")},
        }, ensure_ascii=False)
        headers = self._wechat_sign(body, key=key, serial=serial)
        if stamp is not None:
            headers["Wechatpay-Timestamp"] = str(stamp)
            headers["Wechatpay-Signature"] = rsa2_sign(key or self.platform_key,
                                                       f"{stamp}\n{headers['Wechatpay-Nonce']}\n{body}\n")
        return body.encode(), headers

    def _wechat(self, method: str, path: str, body: bytes, headers) -> tuple[int, dict, bytes]:
        if not headers.get("Authorization", "").startswith("WECHATPAY2-SHA256-RSA2048 "):
            return self._wechat_answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        url = urlsplit(path)
        if url.path == "/v3/certificates":
            data = [{"serial_no": format(cert.serial_number, "X"), "effective_time": "2020-01-01T00:00:00+08:00",
                     "expire_time": "2099-01-01T00:00:00+08:00",
                     "encrypt_certificate": self.encrypt(cert.public_bytes(serialization.Encoding.PEM).decode(), "certificate")}
                    for cert in [self.platform_cert, *self.extra_certs]]
            return self._wechat_answer(200, {"data": data})
        if url.path == "/v3/bill/tradebill":
            day = dict(parse_qsl(url.query))["bill_date"]
            if ("wechatpay", day) not in self.bills:
                return self._wechat_answer(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
            packed = gzip.compress(self.bills[("wechatpay", day)])
            self._packed = packed
            return self._wechat_answer(200, {"download_url": f"{self.url}/v3/billdownload/file?token={day}",
                                             "hash_type": "SHA1", "hash_value": hashlib.sha1(packed).hexdigest()})
        if url.path == "/v3/billdownload/file":
            return 200, {"Content-Type": "application/octet-stream"}, self._packed
        payload = json.loads(body or b"{}")
        with self.lock:
            if url.path in ("/v3/pay/transactions/native", "/v3/pay/transactions/h5"):
                number = payload["out_trade_no"]
                if payload.get("mchid") != self.mchid or payload.get("appid") != self.appid:
                    return self._wechat_answer(400, {"code": "PARAM_ERROR", "message": "mchid与appid不匹配"})
                self.orders.setdefault(number, {"trade_state": "NOTPAY", "refunded": 0, "total": payload["amount"]["total"]})
                if url.path.endswith("native"):
                    return self._wechat_answer(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_hex(4)}"})
                return self._wechat_answer(200, {"h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx{secrets.token_hex(8)}&package=1"})
            if url.path.startswith("/v3/pay/transactions/out-trade-no/"):
                rest = url.path.removeprefix("/v3/pay/transactions/out-trade-no/")
                number = rest.removesuffix("/close")
                order = self.orders.get(number)
                if order is None:
                    return self._wechat_answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                if rest.endswith("/close"):
                    if order["trade_state"] == "SUCCESS":
                        return self._wechat_answer(400, {"code": "ORDER_PAID", "message": "订单已支付"})
                    order["trade_state"] = "CLOSED"
                    return self._wechat_answer(204, None)
                return self._wechat_answer(200, {"out_trade_no": number, "trade_state": order["trade_state"],
                                                 "amount": {"total": order["total"], "currency": "CNY"}})
            if url.path == "/v3/refund/domestic/refunds":
                result = self._refund(payload.get("out_trade_no", ""), payload.get("out_refund_no", ""),
                                      int(payload["amount"]["refund"]))
                if not result["ok"]:
                    return self._wechat_answer(400, {"code": "INVALID_REQUEST", "message": result["sub_code"]})
                answer = {"refund_id": result["refund"]["id"], "out_refund_no": payload["out_refund_no"],
                          "status": "PROCESSING",
                          "amount": {**payload["amount"],
                                     **({"refund_fee": result["refund"]["fee_returned"]} if self.answer_fee else {})}}
        if url.path == "/v3/refund/domestic/refunds":
            if self.delay:
                time.sleep(self.delay)
            return self._wechat_answer(200, answer)
        return self._wechat_answer(404, {"code": "NOT_FOUND", "message": "not found"})

    def _wechat_answer(self, status: int, payload):
        body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8", **self._wechat_sign(body)}
        return status, headers, body.encode()

    # --- Stripe ---------------------------------------------------------------------
    def stripe_signature(self, payload: bytes, *, secret=None, stamp=None) -> str:
        stamp = stamp or int(time.time())
        mac = hmac.new((secret or self.webhook_secret).encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
        return f"t={stamp},v1={mac}"

    def stripe_event(self, session_id: str, *, kind="checkout.session.completed", amount=None, currency="cny",
                     event_id=None) -> bytes:
        order = self.orders[session_id]
        session = {"id": session_id, "object": "checkout.session", "client_reference_id": order["client_reference_id"],
                   "amount_total": order["total"] if amount is None else amount, "currency": currency,
                   "payment_status": "paid", "status": "complete", "payment_intent": order.get("payment_intent")}
        return json.dumps({"id": event_id or "evt_" + secrets.token_hex(12), "object": "event", "type": kind,
                           "api_version": "2025-01-27.acacia", "created": int(time.time()), "livemode": False,
                           "data": {"object": session}}).encode()

    def stripe_pay(self, session_id: str, *, fee: int):
        with self.lock:
            order = self.orders[session_id]
            order.update(status="complete", paid=True, payment_intent="pi_" + secrets.token_hex(10), fee=fee)

    def _stripe(self, method: str, path: str, body: bytes, headers) -> tuple[int, dict, bytes]:
        if headers.get("Authorization") != f"Bearer {self.stripe_secret}":
            return self._json(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}})
        url = urlsplit(path)
        form = dict(parse_qsl(body.decode())) if body else {}
        with self.lock:
            if method == "POST" and url.path == "/v1/checkout/sessions":
                key = headers.get("Idempotency-Key", "")
                for sid, order in self.orders.items():
                    if order.get("idempotency_key") == key:
                        return self._json(200, self._session(sid))
                sid = "cs_test_" + secrets.token_hex(16)
                self.orders[sid] = {"idempotency_key": key, "status": "open", "refunded": 0,
                                    "total": int(form["line_items[0][price_data][unit_amount]"]),
                                    "currency": form["line_items[0][price_data][currency]"],
                                    "client_reference_id": form["client_reference_id"]}
                return self._json(200, self._session(sid))
            if url.path.startswith("/v1/checkout/sessions/"):
                sid = url.path.split("/")[4]
                if sid not in self.orders:
                    return self._json(404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                                      "message": "No such checkout.session"}})
                if url.path.endswith("/expire"):
                    if self.orders[sid]["status"] != "open":
                        return self._json(400, {"error": {"type": "invalid_request_error", "message": "not open"}})
                    self.orders[sid]["status"] = "expired"
                return self._json(200, self._session(sid))
            if url.path.startswith("/v1/payment_intents/"):
                pid = url.path.split("/")[3]
                order = next((o for o in self.orders.values() if o.get("payment_intent") == pid), None)
                if order is None:
                    return self._json(404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}})
                return self._json(200, {"id": pid, "object": "payment_intent", "latest_charge": {
                    "id": "ch_1", "object": "charge", "balance_transaction": {
                        "id": "txn_1", "object": "balance_transaction", "amount": order["total"], "fee": order["fee"]}}})
            if url.path == "/v1/balance_transactions":
                query = dict(parse_qsl(url.query))
                since, until = int(query.get("created[gte]", 0)), int(query.get("created[lt]", 2**40))
                found = [t for t in self.balance_transactions if since <= t["created"] < until]
                return self._json(200, {"object": "list", "url": "/v1/balance_transactions", "has_more": False,
                                        "data": found})
            if method == "POST" and url.path == "/v1/refunds":
                sid = next((s for s, o in self.orders.items() if o.get("payment_intent") == form.get("payment_intent")), "")
                result = self._refund(sid, headers.get("Idempotency-Key", ""), int(form["amount"]))
                if not result["ok"]:
                    return self._json(400, {"error": {"type": "invalid_request_error", "message": result["sub_code"]}})
                answer = {"id": "re_" + result["refund"]["id"], "object": "refund", "amount": result["refund"]["amount"],
                          "status": "succeeded"}
        if url.path == "/v1/refunds":
            if self.delay:
                time.sleep(self.delay)
            return self._json(200, answer)
        return self._json(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})

    def _session(self, sid: str) -> dict:
        order = self.orders[sid]
        return {"id": sid, "object": "checkout.session", "url": f"https://checkout.stripe.com/c/pay/{sid}",
                "status": order["status"], "payment_status": "paid" if order.get("paid") else "unpaid",
                "payment_intent": order.get("payment_intent"), "client_reference_id": order["client_reference_id"],
                "amount_total": order["total"], "currency": order["currency"]}

    def _json(self, status: int, payload: dict):
        return status, {"Content-Type": "application/json", "Request-Id": "req_1"}, json.dumps(payload).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up before a slow answer (the point of `delay`)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _fen(text: str) -> int:
    major, _dot, minor = text.partition(".")
    return int(major) * 100 + int((minor + "00")[:2])


def _handler(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _serve(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            gateway.requests.append((method, self.path))
            if self.path.startswith("/alipay-bill/"):
                day = self.path.split("/")[2].split(".")[0]
                packed = io.BytesIO()
                with zipfile.ZipFile(packed, "w") as bundle:
                    bundle.writestr("20881234567890120156_业务明细(汇总).csv", "#支付宝业务汇总查询\n门店编号,交易订单总笔数\n".encode("gb18030"))
                    bundle.writestr("20881234567890120156_业务明细.csv", gateway.bills[("alipay", day)])
                status, headers, payload = 200, {"Content-Type": "application/zip"}, packed.getvalue()
            elif self.path.startswith("/gateway.do"):
                status, headers, payload = gateway._alipay(dict(parse_qsl(urlsplit(self.path).query)))
            elif self.path.startswith("/v3/"):
                status, headers, payload = gateway._wechat(method, self.path, body, self.headers)
            else:
                status, headers, payload = gateway._stripe(method, self.path, body, self.headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

    return Handler
