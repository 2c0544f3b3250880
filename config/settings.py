"""Jusha settings, read from the environment.

Every knob a deployment needs is an environment variable; the defaults give the
embedded set-up (SQLite, database cache, database task queue) that `make run` uses.
With DEBUG off the app refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from jusha.core.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


VAR_DIR = Path(os.environ.get("JUSHA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG")
JUSHA_DEMO = env_bool("JUSHA_DEMO")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if not DEBUG and (len(key) < 32 or key.startswith("django-insecure")):
            raise ImproperlyConfigured("SECRET_KEY is too weak for DEBUG off: use 50 random characters.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a key generated on this machine, kept under var/, never committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "jusha.accounts.apps.AdminConfig",  # django.contrib.admin, its log-in limited (accounts/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "jusha.core",
    "jusha.accounts",
    # Social log-in only (jusha/accounts/social.py): allauth's account app is required by its
    # socialaccount app, but none of its own log-in, sign-up or e-mail pages is mounted.
    # After jusha.accounts, whose templates of its few pages take precedence.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.weixin",
    "allauth.socialaccount.providers.weibo",
    "jusha.organisations",
    "jusha.projects",
    "jusha.ledger",
    "jusha.giving",
    "jusha.payments",
    "jusha.transparency",
    "jusha.fulfilment",
    "jusha.sponsorship",
    "jusha.matching",
    "jusha.campaigns",
    "jusha.reports",
    "jusha.funds",
    "jusha.social",
    "jusha.pledges",
    "jusha.ratings",
    "jusha.community",
    "jusha.volunteering",
    "jusha.missing",
    "jusha.crisis",
    "jusha.alliance",
    "jusha.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jusha.core.csp.SecurityHeadersMiddleware",  # Content-Security-Policy, Permissions-Policy
    "jusha.core.edge.NulRefusalMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",  # required by allauth (social log-in)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jusha.core.context_processors.site",
                "jusha.core.context_processors.csp",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jusha.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("JUSHA_SQLITE_TEST_NAME") or None}
elif os.environ.get("JUSHA_PG_SERVER_SIDE_BINDING", "1") == "1":
    # Parameters bound by the server, and statements a connection runs often prepared once
    # (after 5 runs, psycopg's own per-connection cache; Django leaves it off unless asked,
    # for poolers that cannot keep prepared statements): the gift path's statements are
    # parsed and planned once per connection instead of on every gift (docs/peak.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: shared state (rate limits, locks) -----------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "jusha_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- background work ------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("JUSHA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jusha.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- social log-in (jusha/accounts/social.py, docs/accounts.md) ----------------------------
# WeChat and Weibo through django-allauth's own providers, each off until its keys are set
# (apps from these settings: no database rows). WeChat has two apps: the open platform's
# website app (QR log-in on a computer, scope snsapi_login) and the official account (公众号),
# used inside WeChat's own browser (scope snsapi_userinfo at connect/oauth2/authorize).
def _env_secret(name: str) -> str:
    """A secret from <NAME>, or from the file named by <NAME>_FILE."""
    value = os.environ.get(name, "")
    path = os.environ.get(name + "_FILE", "")
    if not value and path:
        value = Path(path).read_text().strip()
    return value


JUSHA_WECHAT_APP_ID = os.environ.get("JUSHA_WECHAT_APP_ID", "")
JUSHA_WECHAT_APP_SECRET = _env_secret("JUSHA_WECHAT_APP_SECRET")
JUSHA_WECHAT_MP_APP_ID = os.environ.get("JUSHA_WECHAT_MP_APP_ID", "")
JUSHA_WECHAT_MP_APP_SECRET = _env_secret("JUSHA_WECHAT_MP_APP_SECRET")
JUSHA_WEIBO_APP_KEY = os.environ.get("JUSHA_WEIBO_APP_KEY", "")
JUSHA_WEIBO_APP_SECRET = _env_secret("JUSHA_WEIBO_APP_SECRET")


def social_providers(*, wechat=("", ""), wechat_mp=("", ""), weibo=("", "")) -> dict:
    """SOCIALACCOUNT_PROVIDERS for the given (key, secret) pairs: a pair without both is left
    out, and a provider with no app left is not offered (its URLs answer 404)."""
    weixin_apps = []
    if all(wechat):
        weixin_apps.append({"client_id": wechat[0], "secret": wechat[1], "settings": {"scope": ["snsapi_login"]}})
    if all(wechat_mp):
        weixin_apps.append({"client_id": wechat_mp[0], "secret": wechat_mp[1], "settings": {
            "hidden": True,  # chosen by jusha.accounts.social for WeChat's own browser only
            "in_wechat": True,
            "scope": ["snsapi_userinfo"],
            "authorize_url": "https://open.weixin.qq.com/connect/oauth2/authorize",
        }})
    providers = {"weixin": {"APPS": weixin_apps}, "weibo": {"APPS": []}}
    if all(weibo):
        providers["weibo"]["APPS"].append({"client_id": weibo[0], "secret": weibo[1]})
    return providers


SOCIALACCOUNT_PROVIDERS = social_providers(
    wechat=(JUSHA_WECHAT_APP_ID, JUSHA_WECHAT_APP_SECRET),
    wechat_mp=(JUSHA_WECHAT_MP_APP_ID, JUSHA_WECHAT_MP_APP_SECRET),
    weibo=(JUSHA_WEIBO_APP_KEY, JUSHA_WEIBO_APP_SECRET),
)
SOCIALACCOUNT_ADAPTER = "jusha.accounts.social.SocialAccountAdapter"
ACCOUNT_ADAPTER = "jusha.accounts.social.AccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # the provider's log-in starts with a POST (no log-in CSRF)
SOCIALACCOUNT_AUTO_SIGNUP = True  # straight on when the network gave an address, else the e-mail step
SOCIALACCOUNT_EMAIL_REQUIRED = True  # every member has an e-mail address (receipts, claims)
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # Jusha's own confirmation link (accounts.services)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an address never logs anyone into an existing account
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False  # log-in only: no call is made on the member's behalf later
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_RATE_LIMITS = False  # Jusha's own limits govern (JUSHA_RATE_LIMITS, JUSHA_LOGIN_LIMITS)
ACCOUNT_EMAIL_NOTIFICATIONS = False

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads that are never public (delivery signatures): outside MEDIA_ROOT, served by views
# that check who asks.
JUSHA_PRIVATE_ROOT = Path(os.environ.get("JUSHA_PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
JUSHA_UPLOAD_MAX_BYTES = int(os.environ.get("JUSHA_UPLOAD_MAX_BYTES", 8 * 1024 * 1024))

# --- mail -----------------------------------------------------------------------------
# Development mail is written to files under var/mail/ (one file per message), never to the
# console: `make run`'s output would otherwise show donors' addresses and receipt links.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Jusha 聚沙 <noreply@jusha.localhost>")

# --- security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Stricter than strict-origin-when-cross-origin: other sites are never told which page sent
# a visitor. A page whose own address carries a token answers `strict-origin` (jusha.core.csp).
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if env_bool("JUSHA_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# HSTS with DEBUG off, on every HTTPS response (Django sends it only over HTTPS: behind a
# proxy that terminates TLS, set JUSHA_HTTPS=1). Subdomains and preload only when asked.
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Content-Security-Policy of every page (jusha.core.csp, shaped like Django 6.0's SECURE_CSP):
# scripts and styles only from our own static files; an inline <script> runs only with the
# request's nonce ({{ csp_nonce }}); no inline style, plug-in, framing or foreign form target.
# A payment provider whose hosted page a form's redirect leads to goes in "form-action".
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page uses, off for every page and anything it embeds (a page that
# needs one, e.g. the camera for a check-in scanner, sends its own Permissions-Policy).
JUSHA_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "browsing-topics",
    )
}

# --- Jusha ----------------------------------------------------------------------------
JUSHA_SITE_NAME = os.environ.get("JUSHA_SITE_NAME", "聚沙 Jusha")
# The site's public address, for links in emails.
JUSHA_PUBLIC_URL = os.environ.get("JUSHA_PUBLIC_URL", "http://127.0.0.1:" + os.environ.get("PORT", "8000"))
JUSHA_CURRENCIES = ["CNY"]
JUSHA_DEFAULT_CURRENCY = "CNY"
# Gift limits in minor units (fen): 1 fen to 1,000,000 yuan.
JUSHA_MIN_GIFT = 1
JUSHA_MAX_GIFT = int(os.environ.get("JUSHA_MAX_GIFT", 100_000_000))
JUSHA_GIFT_PRESETS = [1000, 2000, 5000, 10000, 20000]
# The cooler's pause screen (冷静一下): before a donor's Nth gift of the day (by account, or by
# browser for a guest), or before a gift above this many fen. It never blocks: "continue" goes on.
JUSHA_PAUSE_NTH_GIFT = int(os.environ.get("JUSHA_PAUSE_NTH_GIFT", "5"))
JUSHA_PAUSE_ABOVE = int(os.environ.get("JUSHA_PAUSE_ABOVE", 200_000))
# Cause funds (jusha/funds): the smallest grant the rule makes (unless it fills a need).
JUSHA_FUND_MIN_GRANT = int(os.environ.get("JUSHA_FUND_MIN_GRANT", 10_000))
# Monthly giving (jusha/pledges): the smallest and largest amount a month, in fen.
JUSHA_PLEDGE_MIN = int(os.environ.get("JUSHA_PLEDGE_MIN", 100))
JUSHA_PLEDGE_MAX = int(os.environ.get("JUSHA_PLEDGE_MAX", 5_000_000))
JUSHA_PAYMENT_INTENT_TTL = int(os.environ.get("JUSHA_PAYMENT_INTENT_TTL", 30 * 60))
JUSHA_SIGNATURE_TOLERANCE = 300
JUSHA_IDEMPOTENCY_TTL = 48 * 3600
# Receipt links in URLs carry a one-use ticket (jusha/giving/receipt_links.py) good for this
# many seconds: an email's for days, the API's `receipt_url` and the provider's way back for hours.
JUSHA_RECEIPT_LINK_MAX_AGE = {
    "email": int(os.environ.get("JUSHA_RECEIPT_LINK_DAYS", "7")) * 86400,
    "api": int(os.environ.get("JUSHA_RECEIPT_URL_HOURS", "24")) * 3600,
}
# Sandbox payment provider: on in development, off by default in production.
JUSHA_SANDBOX_ENABLED = env_bool("JUSHA_SANDBOX_ENABLED", DEBUG)
JUSHA_SANDBOX_SECRET = os.environ.get("JUSHA_SANDBOX_SECRET") or ("sandbox:" + SECRET_KEY)
# Where the sandbox posts its signed notifications. Empty: hand them to the platform's
# notification handler in-process (same bytes, same signature check); a URL: real HTTP.
JUSHA_SANDBOX_NOTIFY_URL = os.environ.get("JUSHA_SANDBOX_NOTIFY_URL", "")
# Real payment providers (jusha/payments, docs/payments.md): each is off until its keys are
# set. A secret may be given in the variable or in a file named by <NAME>_FILE.
JUSHA_ALIPAY_APP_ID = os.environ.get("JUSHA_ALIPAY_APP_ID", "")
JUSHA_ALIPAY_PRIVATE_KEY_FILE = os.environ.get("JUSHA_ALIPAY_PRIVATE_KEY_FILE", "")  # the app's private key (PEM)
JUSHA_ALIPAY_PUBLIC_KEY_FILE = os.environ.get("JUSHA_ALIPAY_PUBLIC_KEY_FILE", "")  # Alipay's public key (PEM)
JUSHA_ALIPAY_GATEWAY = os.environ.get("JUSHA_ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do")
JUSHA_ALIPAY_FEE_BPS = os.environ.get("JUSHA_ALIPAY_FEE_BPS", "0")  # contracted 服务费 rate, basis points (60 = 0.6%)
JUSHA_WECHATPAY_MCHID = os.environ.get("JUSHA_WECHATPAY_MCHID", "")
JUSHA_WECHATPAY_APPID = os.environ.get("JUSHA_WECHATPAY_APPID", "")
JUSHA_WECHATPAY_CERT_SERIAL_NO = os.environ.get("JUSHA_WECHATPAY_CERT_SERIAL_NO", "")
JUSHA_WECHATPAY_PRIVATE_KEY_FILE = os.environ.get("JUSHA_WECHATPAY_PRIVATE_KEY_FILE", "")  # apiclient_key.pem
JUSHA_WECHATPAY_APIV3_KEY = os.environ.get("JUSHA_WECHATPAY_APIV3_KEY", "")
JUSHA_WECHATPAY_APIV3_KEY_FILE = os.environ.get("JUSHA_WECHATPAY_APIV3_KEY_FILE", "")
JUSHA_WECHATPAY_PLATFORM_CERT_DIR = os.environ.get("JUSHA_WECHATPAY_PLATFORM_CERT_DIR", "")
JUSHA_WECHATPAY_CA_FILE = os.environ.get("JUSHA_WECHATPAY_CA_FILE", "")  # WeChat Pay's CA root (PEM): platform certificates must chain to it
JUSHA_WECHATPAY_PUBLIC_KEY_FILE = os.environ.get("JUSHA_WECHATPAY_PUBLIC_KEY_FILE", "")
JUSHA_WECHATPAY_PUBLIC_KEY_ID = os.environ.get("JUSHA_WECHATPAY_PUBLIC_KEY_ID", "")
JUSHA_WECHATPAY_GATEWAY = os.environ.get("JUSHA_WECHATPAY_GATEWAY", "https://api.mch.weixin.qq.com")
JUSHA_WECHATPAY_FEE_BPS = os.environ.get("JUSHA_WECHATPAY_FEE_BPS", "0")
JUSHA_STRIPE_SECRET_KEY = os.environ.get("JUSHA_STRIPE_SECRET_KEY", "")
JUSHA_STRIPE_SECRET_KEY_FILE = os.environ.get("JUSHA_STRIPE_SECRET_KEY_FILE", "")
JUSHA_STRIPE_WEBHOOK_SECRET = os.environ.get("JUSHA_STRIPE_WEBHOOK_SECRET", "")
JUSHA_STRIPE_WEBHOOK_SECRET_FILE = os.environ.get("JUSHA_STRIPE_WEBHOOK_SECRET_FILE", "")
JUSHA_STRIPE_API_BASE = os.environ.get("JUSHA_STRIPE_API_BASE", "https://api.stripe.com")
JUSHA_PROVIDER_TIMEOUT = os.environ.get("JUSHA_PROVIDER_TIMEOUT", "10")  # seconds per call to a provider


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# The donation form's redirect leads to the configured providers' cashiers: the browser
# checks every hop against "form-action".
SECURE_CSP["form-action"] = [CSP.SELF] + [origin for origin, on in (
    (_origin(JUSHA_ALIPAY_GATEWAY), bool(JUSHA_ALIPAY_APP_ID)),
    ("https://wx.tenpay.com", bool(JUSHA_WECHATPAY_MCHID)),  # WeChat Pay's H5 page on phones
    ("https://checkout.stripe.com", bool(JUSHA_STRIPE_SECRET_KEY or JUSHA_STRIPE_SECRET_KEY_FILE)),
) if on]


def social_form_action(providers: dict) -> list[str]:
    """The networks' log-in pages that a log-in button's POST is redirected to (the log-in
    and account pages' "form-action" must name them, or the browser stops the redirect)."""
    origins = []
    for provider, conf in providers.items():
        for app in conf.get("APPS", []):
            url = app.get("settings", {}).get("authorize_url") or {
                "weixin": "https://open.weixin.qq.com", "weibo": "https://api.weibo.com"}[provider]
            if _origin(url) not in origins:
                origins.append(_origin(url))
    return origins


SECURE_CSP["form-action"] += social_form_action(SOCIALACCOUNT_PROVIDERS)
JUSHA_ALLOW_PRIVATE_FETCH = env_bool("JUSHA_ALLOW_PRIVATE_FETCH")
# Alliance (jusha/alliance): seconds a webhook or ActivityPub delivery may take; the licence
# the open-data files (/data/) are published under.
JUSHA_WEBHOOK_TIMEOUT = float(os.environ.get("JUSHA_WEBHOOK_TIMEOUT", "10"))
JUSHA_DATA_LICENCE = os.environ.get("JUSHA_DATA_LICENCE", "CC-BY-4.0")
JUSHA_DATA_LICENCE_URL = os.environ.get("JUSHA_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
# The platform's own slug (its cause-fund grants are published under it in 360Giving) and
# IATI organisation-identifier prefix (e.g. "CN-USC" followed by the unified credit code).
JUSHA_PLATFORM_SLUG = os.environ.get("JUSHA_PLATFORM_SLUG", "jusha")
JUSHA_IATI_PREFIX = os.environ.get("JUSHA_IATI_PREFIX", "CN-USC")
# Delivery batches: days each status may last before the batch is flagged late.
JUSHA_BATCH_DEADLINE_DAYS = {"created": 7, "purchasing": 14, "shipped": 14, "delivered": 7}
# Benchmark-only endpoints (bench/): never on unless asked for.
JUSHA_BENCH_ENDPOINTS = env_bool("JUSHA_BENCH_ENDPOINTS")
if JUSHA_BENCH_ENDPOINTS:
    INSTALLED_APPS.append("jusha.bench")  # its table and views exist only for bench/
# Crisis early warning (jusha/crisis): the trained model's file (the rule layer scores posts when
# it is absent), the key that signs model files (derived from SECRET_KEY when unset), levels.
JUSHA_CRISIS_MODEL_PATH = os.environ.get("JUSHA_CRISIS_MODEL_PATH", str(VAR_DIR / "crisis-model.bin"))
JUSHA_CRISIS_MODEL_KEY = os.environ.get("JUSHA_CRISIS_MODEL_KEY", "")
JUSHA_CRISIS_ALERT_LEVEL = int(os.environ.get("JUSHA_CRISIS_ALERT_LEVEL", "6"))
JUSHA_CRISIS_URGENT_LEVEL = int(os.environ.get("JUSHA_CRISIS_URGENT_LEVEL", "9"))
JUSHA_CRISIS_RETENTION_DAYS = int(os.environ.get("JUSHA_CRISIS_RETENTION_DAYS", "90"))
# Fernet keys for handles and URLs at rest, newest first (rotate: add a key in front, run
# crisis_rotate_keys, drop the old one). Empty: a key derived from SECRET_KEY.
JUSHA_CRISIS_KEYS = env_list("JUSHA_CRISIS_KEYS")
JUSHA_CRISIS_HOTLINES = [
    ("北京心理危机研究与干预中心", "010-82951332"),
    ("希望24热线", "400-161-9995"),
]
JUSHA_RATE_LIMITS = {
    "missing_sighting": (5, 3600),  # sightings per network per hour
    # name: (requests, seconds); log-ins have their own limiter (JUSHA_LOGIN_LIMITS below)
    "signup": (5, 60),
    "password_reset": (5, 300),
    "email_confirm": (3, 3600),  # per account: each resend mails a confirmation link
    "donation_create": (int(os.environ.get("JUSHA_RATE_DONATION", "60")), 60),
    "share_link_create": (20, 60),  # per member or address: link floods
    "share_open": (30, 60),  # per address: opens past this are not counted (the link still works)
    "share_report": (10, 3600),
    "report": (10, 3600),  # reports (举报) per member an hour
    "report_network": (20, 3600),  # per network, guests and members alike: floods from one place
    # community (jusha/community): per member
    "community_team_create": (5, 3600),
    "community_post": (int(os.environ.get("JUSHA_RATE_COMMUNITY_POST", "20")), 600),  # posts, updates, comments
    "community_follow": (60, 600),
    "community_join": (30, 600),  # joining teams and circles (each tells a captain, friends' feeds)
    "community_gathering": (5, 3600),  # gatherings announced (each tells every member of the circle)
    "receipt_link": (3, 3600),  # per gift: new receipt links sent to its donor's address
    "receipt_link_network": (20, 3600),  # per address asking, across gifts
}
# Missing children on 404 pages (jusha/missing): how long a notice may be cached (a found
# child is gone from every cache within it), how long a closed case's private fields and its
# sightings' contacts are kept, and the key Jusha's own 404 page uses.
JUSHA_MISSING_NOTICE_MAX_AGE = int(os.environ.get("JUSHA_MISSING_NOTICE_MAX_AGE", "60"))
JUSHA_MISSING_PURGE_DAYS = int(os.environ.get("JUSHA_MISSING_PURGE_DAYS", "90"))
JUSHA_MISSING_OWN_SITE_KEY = "jusha-404"
# Where every app process reads whether its kept notices are still current (jusha/missing/notice.py):
# a file under JUSHA_VAR_DIR with SQLite (one machine), Django's shared cache otherwise.
JUSHA_MISSING_GENERATION_STORE = os.environ.get(
    "JUSHA_MISSING_GENERATION_STORE", "file" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "cache"
)
# Reports (jusha/reports): evidence files a report may carry.
JUSHA_REPORT_MAX_FILES = 5
JUSHA_RATE_LIMIT_ENABLED = env_bool("JUSHA_RATE_LIMIT_ENABLED", True)


def _positive_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name) or default)
    except ValueError:
        value = 0
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1.")
    return value


# Log-in limits (jusha/accounts/lockout.py), on every door that checks a password (the log-in
# page, POST /api/v1/auth/token, /admin/login/, password change): this many failures within
# the window lock the account (its email address) or the network (an IPv4 address or an IPv6
# /64) for the window; a password reset ends the account's lock. Off with the rate limits.
_LOGIN_WINDOW = _positive_int("JUSHA_LOGIN_LOCK_MINUTES", 15) * 60
JUSHA_LOGIN_LIMITS = {
    # counter: (failures, seconds)
    "account": (_positive_int("JUSHA_LOGIN_ACCOUNT_FAILURES", 10), _LOGIN_WINDOW),
    "network": (_positive_int("JUSHA_LOGIN_NETWORK_FAILURES", 30), _LOGIN_WINDOW),
}
# Matching pools (配捐): a gift showing any anti-gaming signal keeps its match held for
# staff review. Counts are gifts to one project within `lookback_hours`, this one included.
# Settling paid gifts (jusha.giving.settle; docs/peak.md): a notification accepts the gift,
# the settler settles paid gifts in batches right after (kicked on commit, at most once per
# kick_seconds per process) and every half second from the worker. inline: settle each gift
# in its own notification's transaction instead (the same settler code; the test suite).
JUSHA_SETTLE = {
    "inline": os.environ.get("JUSHA_SETTLE_INLINE", "0") == "1",
    "batch": int(os.environ.get("JUSHA_SETTLE_BATCH", "200")),
    "budget_seconds": 5.0,
    "kick_seconds": float(os.environ.get("JUSHA_SETTLE_KICK_SECONDS", "0.2")),
}

JUSHA_MATCHING = {
    "account_gifts": int(os.environ.get("JUSHA_MATCH_ACCOUNT_GIFTS", "5")),
    "device_gifts": int(os.environ.get("JUSHA_MATCH_DEVICE_GIFTS", "5")),
    "network_gifts": int(os.environ.get("JUSHA_MATCH_NETWORK_GIFTS", "20")),
    "burst_seconds": int(os.environ.get("JUSHA_MATCH_BURST_SECONDS", "60")),
    "burst_gifts": int(os.environ.get("JUSHA_MATCH_BURST_GIFTS", "10")),
    "lookback_hours": int(os.environ.get("JUSHA_MATCH_LOOKBACK_HOURS", "24")),
    "context_days": 90,  # device and network hashes are deleted after this many days
    # Pool money an app process takes at a time: 1/chunk_share of what is free (docs/peak.md);
    # chunks nobody drew on for chunk_idle_seconds go back to their pool.
    "chunk_share": int(os.environ.get("JUSHA_MATCH_CHUNK_SHARE", "32")),
    "chunk_idle_seconds": int(os.environ.get("JUSHA_MATCH_CHUNK_IDLE_SECONDS", "30")),
    # How long an app process trusts its list of active pools (a newly opened pool matches
    # from at most this long after; a closed one matches nothing more at once).
    "pools_fresh_seconds": float(os.environ.get("JUSHA_MATCH_POOLS_FRESH_SECONDS", "1")),
}

# --- transparency log (jusha.transparency) ----------------------------------------------
# The log's identity: the origin line of its checkpoints and the name of its key.
JUSHA_LOG_ORIGIN = os.environ.get("JUSHA_LOG_ORIGIN", "jusha.localhost/log")
# The signing key, outside the repository; only the sequencer (the worker) reads it.
# Production: `manage.py log_keygen`; development makes one on first use.
JUSHA_LOG_KEY_PATH = Path(os.environ.get("JUSHA_LOG_KEY_PATH", VAR_DIR / "log.key"))
JUSHA_LOG_KEY_AUTOGENERATE = DEBUG
# The public verifier key (name+id+key), for app servers that do not hold the private key.
JUSHA_LOG_VKEY = os.environ.get("JUSHA_LOG_VKEY", "")
# Facts integrated per transaction by the sequencer.
JUSHA_LOG_BATCH = int(os.environ.get("JUSHA_LOG_BATCH", "20000"))
# Witnesses that cosign our checkpoints: comma-separated "<verifier key> <submission URL prefix>".
JUSHA_LOG_WITNESSES = [tuple(item.split(None, 1)) for item in env_list("JUSHA_LOG_WITNESSES")]
if any(len(witness) != 2 for witness in JUSHA_LOG_WITNESSES):
    raise ImproperlyConfigured("JUSHA_LOG_WITNESSES items are '<verifier key> <URL prefix>', comma-separated.")
# Our own witness: its name, its key, and the logs it cosigns (comma-separated verifier
# keys; a key's name is its log's origin). Checkpoints of other logs are refused.
JUSHA_WITNESS_NAME = os.environ.get("JUSHA_WITNESS_NAME", "jusha.localhost/witness")
JUSHA_WITNESS_KEY_PATH = Path(os.environ.get("JUSHA_WITNESS_KEY_PATH", VAR_DIR / "witness.key"))
JUSHA_WITNESS_LOGS = env_list("JUSHA_WITNESS_LOGS")
# Where `log_monitor` sends its alarms, besides its exit status (empty: no email).
JUSHA_LOG_MONITOR_EMAIL = os.environ.get("JUSHA_LOG_MONITOR_EMAIL", "")

# --- social charity (jusha.social) -------------------------------------------------------
# Visitor ids and sharer keys are HMACs with this salt; never raw addresses or session keys.
JUSHA_VISITOR_SALT = os.environ.get("JUSHA_VISITOR_SALT") or ("visitor:" + SECRET_KEY)
# Days a share link attributes gifts (asking for it again renews it).
JUSHA_SHARE_LINK_DAYS = int(os.environ.get("JUSHA_SHARE_LINK_DAYS", "365"))
# Reports from this many members suspend a sharer's links until staff review them.
JUSHA_SHARE_REPORTS_TO_SUSPEND = int(os.environ.get("JUSHA_SHARE_REPORTS_TO_SUSPEND", "3"))
# A font file with CJK glyphs (e.g. NotoSansCJK-Regular.ttc) turns on PNG posters; SVG
# posters need no font on the server.
JUSHA_POSTER_FONT = os.environ.get("JUSHA_POSTER_FONT", "")

if JUSHA_DEMO and not DEBUG:
    raise ImproperlyConfigured("JUSHA_DEMO=1 is for development only and is refused when DEBUG is off.")

# Every handler carries the redaction filter (jusha/core/logging.py): no credential or token
# reaches a log line (Authorization values, tokens in URLs, passwords in form dumps, session
# cookies, signatures). Django's own logger defaults are replaced so that no handler is left
# without it: its "django" records go to the root's handler, and its error mails (with the
# request's headers) are not sent; the development server's access lines keep their format.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "jusha.core.logging.RedactSecrets"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # The worker polls every second: only problems are worth a line.
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
