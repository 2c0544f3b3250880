"""No secret in the logs: a filter that every log handler carries (config/settings.py
LOGGING) and that redacts credentials and tokens from each record before it is written.

What it removes, wherever it appears in the message, its arguments, the exception's text
or the stack:
- `Authorization` (and `Proxy-Authorization`) values of any scheme, as a header line, a
  `HTTP_AUTHORIZATION` key of a request's META dump, or django-ninja's
  "Unexpected auth - '<raw header>'" line; free-standing `Bearer …` and `Basic …` values;
- tokens, tickets, passwords, secrets, signatures, session and CSRF values given as
  `name=value` (query strings, form bodies, cookie strings: `?access_token=…`,
  `password=…`, `sessionid=…`) or as `'name': 'value'` / `"name": ["value"]` in dict,
  JSON and QueryDict dumps;
- `Cookie`, `Set-Cookie`, `X-Jusha-Signature` and `Webhook-Signature` header values;
- the secret path segments of password-reset and invitation links.

`Idempotency-Key` values and ordinary words are left alone. `redact()` is the pure
function; `RedactSecrets` applies it to a `LogRecord` in place, so every handler after
the first sees the cleaned record too.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[REDACTED]"

# A parameter or key whose value is a secret: any name ending in (or being) one of these.
_SECRET_NAME = (
    r"[\w.-]*?(?:token|ticket|passw(?:or)?d\d?|pwd|secret|signature|session(?:id|_?key)?"
    r"|api[_-]?key|csrf[\w-]*|authorization|cookie)"
)
_HEADER_NAME = (
    r"(?:http_)?(?:proxy[-_])?authorization|(?:http_)?(?:set[-_])?cookie|(?:http_)?x[-_]jusha[-_]signature"
    r"|(?:http_)?webhook[-_]signature|(?:http_)?x[-_]api[-_]key"
)

_RULES: list[tuple[re.Pattern[str], str]] = [
    # django-ninja's log of a header with another scheme than it expects: the whole value.
    (re.compile(r"(Unexpected auth - ')([^']*)(')"), r"\1" + REDACTED + r"\3"),
    # 'name': 'value', "name": "value", 'name': ['value'] (dicts, JSON, QueryDict dumps).
    (
        re.compile(r"""(?i)(["'])(""" + _SECRET_NAME + r"""|""" + _HEADER_NAME + r""")\1(\s*:\s*\[?\s*)(["'])(?:\\.|(?!\4).)*\4"""),
        r"\1\2\1\3\4" + REDACTED + r"\4",
    ),
    # Header lines: "Authorization: Basic dXNlcjpwYXNz", "Cookie: sessionid=…; csrftoken=…".
    (
        re.compile(r"(?im)(?<![\w-])(" + _HEADER_NAME + r")(\s*[:=]\s*)(?![\s\"'\[])([^\r\n]+)"),
        r"\1\2" + REDACTED,
    ),
    # name=value in query strings, form bodies and cookie strings.
    (
        re.compile(r"(?i)(?<![\w-])(" + _SECRET_NAME + r")=(?!" + re.escape(REDACTED) + r")([^&\s;,\"'<>]+)"),
        r"\1=" + REDACTED,
    ),
    # A credential standing alone after its scheme's name.
    (re.compile(r"\bBearer\s+(?!" + re.escape(REDACTED) + r")[A-Za-z0-9._~+/-]{6,}=*"), "Bearer " + REDACTED),
    (re.compile(r"\bBasic\s+(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?![\w+/=])"), "Basic " + REDACTED),
    # Secret path segments: /accounts/password/reset/<uid>/<token>/, /orgs/invitations/<token>/.
    (re.compile(r"(/password/reset/[^/\s]+/)(?!set-password/)[^/\s?#]{10,}"), r"\1" + REDACTED),
    (re.compile(r"(/invitations/)[A-Za-z0-9_-]{16,}"), r"\1" + REDACTED),
]


def redact(text: str) -> str:
    """The text with every credential and token it carries replaced by [REDACTED]."""
    if not text:
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Installed on every handler: cleans the record's message (with its arguments), its
    exception text and its stack before any formatter sees them. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is still logged, as text
            message = f"{record.msg!r} % {record.args!r}"
        cleaned = redact(message)
        if cleaned != message or not isinstance(record.msg, str):
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
