"""Talking to other logs and witnesses over HTTP, under the outbound rules: no private or
loopback addresses unless JUSHA_ALLOW_PRIVATE_FETCH, a time limit, a size limit."""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT = 10
MAX_BYTES = 4 << 20


class FetchError(RuntimeError):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer, not a second fetch past the address check


_opener = urllib.request.build_opener(_NoRedirect)


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port  # an impossible port or a broken IPv6 literal raises ValueError
    except ValueError as exc:
        raise FetchError(f"not an http(s) URL: {url}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url}")
    if settings.JUSHA_ALLOW_PRIVATE_FETCH:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError, ValueError) as exc:  # unresolvable, or a name IDNA refuses
        raise FetchError(f"cannot resolve {parts.hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(f"{parts.hostname} is a private or loopback address ({address})")


def check_url(url: str) -> None:
    """Raise FetchError for a URL the outbound rules refuse (not http(s), private or
    loopback unless JUSHA_ALLOW_PRIVATE_FETCH, unresolvable): for checking a URL when it is
    saved, before any fetch."""
    _check_url(url)


def request(url: str, *, data: bytes | None = None, content_type: str = "text/plain; charset=utf-8",
            headers: dict[str, str] | None = None, timeout: float = TIMEOUT) -> tuple[int, bytes]:
    """(status, body) of a GET (or a POST with `data`); error statuses are answers too.
    `headers` are added to the request's own (signatures, Accept)."""
    _check_url(url)
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": content_type, "User-Agent": "jusha-transparency/1",
                                          **(headers or {})})
    try:
        with _opener.open(req, timeout=timeout) as response:
            return response.status, _read(response)
    except urllib.error.HTTPError as exc:
        return exc.code, _read(exc)
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"{url}: {exc}") from exc


def _read(response) -> bytes:
    body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise FetchError("the answer is larger than the limit")
    return body


def get(url: str) -> bytes:
    status, body = request(url)
    if status != 200:
        raise FetchError(f"GET {url}: HTTP {status}")
    return body


def post_text(url: str, text: str) -> tuple[int, str]:
    status, body = request(url, data=text.encode())
    return status, body.decode("utf-8", "replace")
