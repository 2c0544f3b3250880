"""Settings for the test suite: the real settings, with tasks run immediately."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("JUSHA_VAR_DIR", os.path.join(tempfile.gettempdir(), "jusha-test-var"))

from config.settings import *  # noqa: E402,F403

if "jusha.bench" not in INSTALLED_APPS:  # noqa: F405 - its endpoints are tested (tests/bench)
    INSTALLED_APPS.append("jusha.bench")  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Each gift settled in its own notification's transaction (the same settler code): the
# suite's many "paid, then matched" assertions hold at once; tests/giving/test_settle.py
# turns it off to test the batched settler itself.
JUSHA_SETTLE = {**JUSHA_SETTLE, "inline": True}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="jusha-test-media-"))  # noqa: F405
JUSHA_SANDBOX_ENABLED = True
JUSHA_ALLOW_PRIVATE_FETCH = True
JUSHA_RATE_LIMIT_ENABLED = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Assertions read the English msgids; tests/core/test_i18n.py checks the Chinese default.
LANGUAGE_CODE = "en"
# Every HTML page the suite renders is checked against the Content-Security-Policy rules
# (no inline script without the nonce, no inline style or handler; the security headers).
MIDDLEWARE = ["tests.page_checks.CheckEveryPage", *MIDDLEWARE]  # noqa: F405
