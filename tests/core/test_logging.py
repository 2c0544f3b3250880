"""No secret in the logs: the redaction filter (jusha/core/logging.py) on every handler
that config/settings.py LOGGING installs, tried with the records that leaked before."""

import io
import logging

import pytest

from jusha.core.logging import REDACTED, RedactSecrets, redact

BASIC = "dXNlckBleGFtcGxlLm9yZzpodW50ZXIy"  # base64("user@example.org:hunter2")
TOKEN = "Qm9ndXNUb2tlbl9BYkNkRWYxMjM0NTY3"


@pytest.mark.parametrize(
    "line, secret",
    [
        (f"Unexpected auth - 'Basic {BASIC}'", BASIC),  # django-ninja, a header it does not expect
        (f"Unexpected auth - 'Custom {TOKEN}'", TOKEN),  # any other scheme
        (f"Authorization: Bearer {TOKEN}", TOKEN),
        (f"Authorization: Basic {BASIC}", BASIC),
        (f'Authorization: Digest username="u", response="{TOKEN}"', TOKEN),
        (f"{{'HTTP_AUTHORIZATION': 'Basic {BASIC}', 'HTTP_HOST': 'testserver'}}", BASIC),
        (f'"GET /donations/6b1e/?access_token={TOKEN} HTTP/1.1" 302 0', TOKEN),
        (f'"GET /donations/6b1e/?print=1&ticket={TOKEN}:1tAbCd:xyz HTTP/1.1" 302 0', TOKEN),
        (f"https://jusha.example.org/api/v1/donations/6b1e?access_token={TOKEN}&x=1", TOKEN),
        ("email=a%40b.org&password=hunter2hunter2&next=/", "hunter2hunter2"),
        ("<QueryDict: {'email': ['a@b.org'], 'password': ['hunter2hunter2']}>", "hunter2hunter2"),
        ('{"email": "a@b.org", "new_password1": "hunter2hunter2"}', "hunter2hunter2"),
        (f"Cookie: sessionid={TOKEN}; csrftoken=abc", TOKEN),
        (f"sessionid={TOKEN}; Path=/", TOKEN),
        (f"{{'HTTP_COOKIE': 'sessionid={TOKEN}'}}", TOKEN),
        (f"X-Jusha-Signature: t=1760000000,v1={TOKEN}", TOKEN),
        (f"{{'HTTP_X_JUSHA_SIGNATURE': 't=1760000000,v1={TOKEN}'}}", TOKEN),
        (f"GET /accounts/password/reset/MQ/{TOKEN}/ HTTP/1.1", TOKEN),
        (f"GET /orgs/invitations/{TOKEN}/ HTTP/1.1", TOKEN),
    ],
)
def test_redact_removes_every_credential(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned and REDACTED in cleaned


@pytest.mark.parametrize(
    "line",
    [
        "Idempotency-Key: 7f3a9c1e-aaaa-bbbb",
        '"POST /api/v1/projects/warm/donations HTTP/1.1" 201 812',
        "GET /projects/?q=warm&region=110101&page=2",
        "Basic facts of the project",
        "GET /orgs/acme/invitations/12/revoke/",
        "Donation 6b1e paid: 5000 CNY",
    ],
)
def test_redact_leaves_ordinary_lines_alone(line):
    assert redact(line) == line


def configured_handlers():
    """Every handler that writes somewhere, reachable from any logger (pytest's own and
    libraries' NullHandlers aside)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return {
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler)
    }


def test_every_configured_handler_redacts():
    handlers = configured_handlers()
    assert handlers, "LOGGING configured no handler"
    for handler in handlers:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), f"{handler!r} has no redaction filter"


@pytest.fixture
def log_output():
    """What the configured handlers write, as text (their streams swapped for the test)."""
    out = io.StringIO()
    swapped = []
    for handler in configured_handlers():
        if isinstance(handler, logging.StreamHandler):
            swapped.append((handler, handler.setStream(out)))
    yield out
    for handler, stream in swapped:
        handler.setStream(stream)


def test_ninja_log_of_a_raw_basic_header_is_redacted(client, settings, log_output):
    settings.DEBUG = True  # django-ninja logs the raw header only with DEBUG on
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Basic {BASIC}")
    assert response.status_code == 401
    text = log_output.getvalue()
    assert "Unexpected auth" in text  # the line is still written, without the credential
    assert BASIC not in text and "hunter2" not in text


def test_development_server_access_line_with_a_token_is_redacted(log_output):
    # As django.core.servers.basehttp.WSGIRequestHandler.log_message writes it.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /donations/6b1e/?access_token={TOKEN} HTTP/1.1", "302", "0",
        extra={"status_code": 302, "server_time": "06/Dec/2026 09:00:00"},
    )
    text = log_output.getvalue()
    assert "GET /donations/6b1e/?access_token=[REDACTED] HTTP/1.1" in text and TOKEN not in text


def test_exception_text_with_a_token_is_redacted(log_output):
    logger = logging.getLogger("jusha.giving")
    try:
        raise ValueError(f"could not verify Authorization: Bearer {TOKEN} for /r/?access_token={TOKEN}")
    except ValueError:
        logger.exception("Checking a receipt failed for %s", f"/donations/6b1e/?ticket={TOKEN}")
    text = log_output.getvalue()
    assert "ValueError: could not verify Authorization: [REDACTED]" in text
    assert "Traceback" in text and TOKEN not in text


def test_request_error_with_a_password_in_the_form_dump_is_redacted(log_output):
    logging.getLogger("django.request").error(
        "Bad form: %s", {"email": "a@b.org", "password": "hunter2hunter2"}
    )
    text = log_output.getvalue()
    assert "hunter2hunter2" not in text and "'email': 'a@b.org'" in text


def test_a_record_without_secrets_keeps_its_arguments():
    record = logging.LogRecord("jusha", logging.INFO, __file__, 1, "gift %s paid: %d fen", ("6b1e", 5000), None)
    assert RedactSecrets().filter(record) is True
    assert record.args == ("6b1e", 5000) and record.getMessage() == "gift 6b1e paid: 5000 fen"
