"""Which real payment providers this site has keys for, read from settings (the
environment: `JUSHA_<PROVIDER>_…`, docs/payments.md). A provider is off until its keys
are configured; one configured in part, or with a key that does not load, is refused
with a message naming the variable (a system check at start-up, and at first use).

A secret may be given in the variable itself or in a file named by `<NAME>_FILE` (the
keys of Alipay and WeChat Pay are PEM files; their variables end in `_FILE` already).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings


class ConfigError(ValueError):
    """A provider's configuration is incomplete or does not load: says which variable."""

    def __init__(self, variable: str, problem: str):
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


def _setting(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value or "").strip()


def _file(name: str) -> str:
    path = _setting(name)
    if not path:
        raise ConfigError(name, "not set")
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(name, f"cannot read {path!r} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(name, f"{path!r} is not a text (PEM) file") from exc


def _secret(name: str) -> str:
    """The variable's value, or the content of the file `<name>_FILE` names."""
    value = _setting(name)
    if value:
        return value
    if _setting(name + "_FILE"):
        return _file(name + "_FILE").strip()
    raise ConfigError(name, f"not set (set {name} or {name}_FILE)")


def _required(name: str) -> str:
    value = _setting(name)
    if not value:
        raise ConfigError(name, "not set")
    return value


def _rate(name: str) -> int:
    """A fee rate in basis points of the amount (60 = 0.6%); 0 when unset."""
    value = _setting(name) or "0"
    try:
        bps = int(value)
    except ValueError as exc:
        raise ConfigError(name, f"must be a whole number of basis points (60 = 0.6%), not {value!r}") from exc
    if not 0 <= bps <= 1000:
        raise ConfigError(name, "must be between 0 and 1000 basis points")
    return bps


# The variables whose presence says "this provider is meant to be on".
MARKERS = {
    "alipay": ("JUSHA_ALIPAY_APP_ID", "JUSHA_ALIPAY_PRIVATE_KEY_FILE", "JUSHA_ALIPAY_PUBLIC_KEY_FILE"),
    "wechatpay": ("JUSHA_WECHATPAY_MCHID", "JUSHA_WECHATPAY_APPID", "JUSHA_WECHATPAY_PRIVATE_KEY_FILE"),
    "stripe": ("JUSHA_STRIPE_SECRET_KEY", "JUSHA_STRIPE_SECRET_KEY_FILE"),
}
REAL_PROVIDERS = tuple(MARKERS)


def mentioned(provider: str) -> bool:
    return any(_setting(name) for name in MARKERS[provider])


@dataclass(frozen=True)
class AlipayConfig:
    timeout: float
    app_id: str
    private_key: str
    public_key: str
    gateway: str
    fee_bps: int
    notify_url: str


@dataclass(frozen=True)
class WeChatPayConfig:
    timeout: float
    mchid: str
    appid: str
    cert_serial_no: str
    private_key: str
    apiv3_key: str
    platform_cert_dir: str
    public_key: str
    public_key_id: str
    gateway: str
    fee_bps: int
    notify_url: str
    ca_certs: str = ""  # PEM: WeChat Pay's CA root(s), to which every platform certificate must chain


@dataclass(frozen=True)
class StripeConfig:
    timeout: float
    secret_key: str
    webhook_secret: str
    api_base: str
    notify_url: str


def _timeout() -> float:
    """Seconds to wait for a provider's answer (JUSHA_PROVIDER_TIMEOUT): past it the outcome
    is unknown, and a refund stays pending to be asked again with the same number."""
    value = _setting("JUSHA_PROVIDER_TIMEOUT") or "10"
    try:
        seconds = float(value)
    except ValueError as exc:
        raise ConfigError("JUSHA_PROVIDER_TIMEOUT", f"must be a number of seconds, not {value!r}") from exc
    if not 0 < seconds <= 120:
        raise ConfigError("JUSHA_PROVIDER_TIMEOUT", "must be between 0 and 120 seconds")
    return seconds


def _notify_url(provider: str) -> str:
    base = _setting("JUSHA_PUBLIC_URL").rstrip("/")
    return f"{base}/api/v1/payments/{provider}/notify"


def _pem(name: str, marker: str) -> str:
    text = _file(name)
    if marker not in text:
        raise ConfigError(name, f"is not a PEM file with a {marker.strip('-').strip()} block")
    return text


def alipay() -> AlipayConfig:
    from Cryptodome.PublicKey import RSA

    config = AlipayConfig(
        timeout=_timeout(),
        app_id=_required("JUSHA_ALIPAY_APP_ID"),
        private_key=_pem("JUSHA_ALIPAY_PRIVATE_KEY_FILE", "PRIVATE KEY-----"),
        public_key=_pem("JUSHA_ALIPAY_PUBLIC_KEY_FILE", "PUBLIC KEY-----"),
        gateway=_setting("JUSHA_ALIPAY_GATEWAY") or "https://openapi.alipay.com/gateway.do",
        fee_bps=_rate("JUSHA_ALIPAY_FEE_BPS"),
        notify_url=_notify_url("alipay"),
    )
    for variable, text, private in (
        ("JUSHA_ALIPAY_PRIVATE_KEY_FILE", config.private_key, True),
        ("JUSHA_ALIPAY_PUBLIC_KEY_FILE", config.public_key, False),
    ):
        try:
            key = RSA.import_key(text)
        except (ValueError, IndexError, TypeError) as exc:
            raise ConfigError(variable, "is not an RSA key") from exc
        if key.has_private() != private:
            raise ConfigError(variable, "must hold the app's private key" if private else "must hold Alipay's public key")
    return config


def wechatpay() -> WeChatPayConfig:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

    key = _secret("JUSHA_WECHATPAY_APIV3_KEY")
    if len(key.encode()) != 32:
        raise ConfigError("JUSHA_WECHATPAY_APIV3_KEY", "the API v3 key is 32 characters")
    config = WeChatPayConfig(
        timeout=_timeout(),
        mchid=_required("JUSHA_WECHATPAY_MCHID"),
        appid=_required("JUSHA_WECHATPAY_APPID"),
        cert_serial_no=_required("JUSHA_WECHATPAY_CERT_SERIAL_NO"),
        private_key=_pem("JUSHA_WECHATPAY_PRIVATE_KEY_FILE", "PRIVATE KEY-----"),
        apiv3_key=key,
        platform_cert_dir=_setting("JUSHA_WECHATPAY_PLATFORM_CERT_DIR"),
        public_key=_pem("JUSHA_WECHATPAY_PUBLIC_KEY_FILE", "PUBLIC KEY-----") if _setting("JUSHA_WECHATPAY_PUBLIC_KEY_FILE") else "",
        public_key_id=_setting("JUSHA_WECHATPAY_PUBLIC_KEY_ID"),
        gateway=(_setting("JUSHA_WECHATPAY_GATEWAY") or "https://api.mch.weixin.qq.com").rstrip("/"),
        fee_bps=_rate("JUSHA_WECHATPAY_FEE_BPS"),
        notify_url=_notify_url("wechatpay"),
    )
    try:
        load_pem_private_key(config.private_key.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError("JUSHA_WECHATPAY_PRIVATE_KEY_FILE", "is not the merchant's API private key (PEM)") from exc
    if bool(config.public_key) != bool(config.public_key_id):
        raise ConfigError("JUSHA_WECHATPAY_PUBLIC_KEY_ID", "set both JUSHA_WECHATPAY_PUBLIC_KEY_FILE and _ID, or neither")
    if config.public_key:
        try:
            load_pem_public_key(config.public_key.encode())
        except (ValueError, TypeError) as exc:
            raise ConfigError("JUSHA_WECHATPAY_PUBLIC_KEY_FILE", "is not WeChat Pay's public key (PEM)") from exc
        return config
    # Platform certificates (downloaded, or pinned in a folder) are trusted only when they
    # chain to WeChat Pay's CA: its root certificate, in the file this names.
    ca = _pem("JUSHA_WECHATPAY_CA_FILE", "-----BEGIN CERTIFICATE-----")
    try:
        roots = ca_roots(ca)
    except ValueError as exc:
        raise ConfigError("JUSHA_WECHATPAY_CA_FILE", f"is not a PEM certificate of WeChat Pay's CA ({exc})") from exc
    if not roots:
        raise ConfigError("JUSHA_WECHATPAY_CA_FILE", "holds no certificate")
    return replace(config, ca_certs=ca)


def ca_roots(pem: str) -> list:
    """The CA certificates in a PEM text (ValueError when one does not load)."""
    from cryptography import x509

    return x509.load_pem_x509_certificates(pem.encode())


def stripe() -> StripeConfig:
    secret = _secret("JUSHA_STRIPE_SECRET_KEY")
    if not secret.startswith(("sk_", "rk_")):
        raise ConfigError("JUSHA_STRIPE_SECRET_KEY", "a Stripe secret key starts with sk_ (or rk_ for a restricted key)")
    webhook = _secret("JUSHA_STRIPE_WEBHOOK_SECRET")
    if not webhook.startswith("whsec_"):
        raise ConfigError("JUSHA_STRIPE_WEBHOOK_SECRET", "a Stripe webhook signing secret starts with whsec_")
    return StripeConfig(
        timeout=_timeout(),
        secret_key=secret, webhook_secret=webhook,
        api_base=(_setting("JUSHA_STRIPE_API_BASE") or "https://api.stripe.com").rstrip("/"),
        notify_url=_notify_url("stripe"),
    )


LOADERS = {"alipay": alipay, "wechatpay": wechatpay, "stripe": stripe}


def configured() -> list[str]:
    """The real providers whose keys are set (whether or not they load: `load` says)."""
    return [name for name in REAL_PROVIDERS if mentioned(name)]


def problems() -> list[ConfigError]:
    """Every provider meant to be on whose configuration does not load."""
    found = []
    for name in configured():
        try:
            LOADERS[name]()
        except ConfigError as exc:
            found.append(exc)
    return found
