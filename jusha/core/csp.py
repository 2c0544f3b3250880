"""The browser-side headers every response gets: Content-Security-Policy (with a
per-request nonce), Permissions-Policy, and `Referrer-Policy: strict-origin` (no path, no query) where the
request's own address carries a token. (`Referrer-Policy` otherwise, HSTS and nosniff
come from Django's SecurityMiddleware and config/settings.py.)

Shaped like Django 6.0's built-in CSP support, so that moving to Django 6 replaces this
module by it: the policy is the `SECURE_CSP` setting ({directive: [sources]}, with
`CSP.NONCE` standing for the request's nonce); templates read `csp_nonce` (the `csp`
context processor; django-htmx's `{% htmx_script %}` reads the same name); a view that
needs another policy says so with `@csp_override({...})`; a response that already has a
policy (uploads, posters) keeps its own. The nonce appears in the header only when a
template used it.
"""

from __future__ import annotations

import secrets
from functools import wraps

from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty

from jusha.core.logging import redact


class CSP:
    """Source keywords (the names Django 6.0's django.utils.csp.CSP gives them)."""

    NONE = "'none'"
    SELF = "'self'"
    UNSAFE_INLINE = "'unsafe-inline'"
    UNSAFE_EVAL = "'unsafe-eval'"
    STRICT_DYNAMIC = "'strict-dynamic'"
    REPORT_SAMPLE = "'report-sample'"
    NONCE = "<CSP_NONCE_SENTINEL>"


HEADER = "Content-Security-Policy"


class LazyNonce(SimpleLazyObject):
    """A fresh random nonce, made the first time a template asks for it."""

    def __init__(self):
        super().__init__(lambda: secrets.token_urlsafe(16))

    def __bool__(self):
        return self._wrapped is not empty


def build_policy(config: dict, nonce: str | None = None) -> str:
    """`{"script-src": [CSP.SELF, CSP.NONCE], "upgrade-insecure-requests": True}` as a
    header value; CSP.NONCE becomes 'nonce-…' when a nonce was used, else is left out."""
    parts = []
    for directive, value in config.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(directive)
            continue
        sources = [value] if isinstance(value, str) else list(value)
        rendered = []
        for source in sources:
            if source == CSP.NONCE:
                if nonce:
                    rendered.append(f"'nonce-{nonce}'")
            elif source not in rendered:
                rendered.append(source)
        parts.append(f"{directive} {' '.join(rendered or [CSP.NONE])}")
    return "; ".join(parts)


def csp_override(config: dict):
    """This view's responses carry `config` instead of SECURE_CSP (e.g. the API docs page)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            response = view(*args, **kwargs)
            response._csp_config = config
            return response

        return wrapper

    return decorator


def permissions_policy(config: dict) -> str:
    """`{"camera": [], "geolocation": ["self"]}` as `camera=(), geolocation=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in config.items())


class SecurityHeadersMiddleware:
    """Goes right after django.middleware.security.SecurityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._csp_nonce = LazyNonce()
        response = self.get_response(request)
        config = getattr(response, "_csp_config", None) or getattr(settings, "SECURE_CSP", None)
        if config and HEADER not in response:
            nonce = request._csp_nonce
            response[HEADER] = build_policy(config, str(nonce) if nonce else None)
        features = getattr(settings, "JUSHA_PERMISSIONS_POLICY", None)
        if features and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy(features)
        path = request.get_full_path()
        if redact(path) != path:
            # A token in this page's own address: no request from it, ours or another site's,
            # is told more than the origin. (Not no-referrer: browsers then send the page's
            # own form posts with `Origin: null`, which the CSRF check refuses.)
            response["Referrer-Policy"] = "strict-origin"
        return response

