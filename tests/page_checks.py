"""What every HTML page must hold to under the Content-Security-Policy (jusha.core.csp),
checked on each page the suite renders (`CheckEveryPage`, the outermost middleware of
config/test_settings.py) and by tests/core/test_headers.py over a list of pages.

- the response has Content-Security-Policy, Permissions-Policy and Referrer-Policy;
- every inline <script> (no `src`, a JavaScript type) carries the nonce of the
  response's policy; so does every <style> element;
- no element has an on…= handler attribute or a style= attribute (a nonce cannot allow
  those), and no link goes to javascript:.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

REQUIRED_HEADERS = ("Content-Security-Policy", "Permissions-Policy", "Referrer-Policy", "X-Content-Type-Options")
# <script type=…> that a browser runs as script; others (application/json, ld+json) are data.
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}


class _Scan(HTMLParser):
    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)[:120]}>"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name}= in {where}")
            if name == "style":
                self.problems.append(f"inline style= attribute in {where}")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {where}")
        inline_script = tag == "script" and not attributes.get("src") and (attributes.get("type") or "").lower() in SCRIPT_TYPES
        if (inline_script or tag == "style") and (not self.nonce or attributes.get("nonce") != self.nonce):
            self.problems.append(f"inline <{tag}> without the response's nonce: {where}")


def policy_nonce(policy: str) -> str | None:
    found = re.search(r"'nonce-([^']+)'", policy or "")
    return found.group(1) if found else None


def html_problems(html: str, policy: str) -> list[str]:
    """What in this page the policy would block (or that only 'unsafe-inline' would allow)."""
    scan = _Scan(policy_nonce(policy))
    scan.feed(html)
    scan.close()
    return scan.problems


def header_problems(response) -> list[str]:
    problems = [f"no {name} header" for name in REQUIRED_HEADERS if not response.get(name)]
    policy = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    for directive in ("script-src", "style-src"):
        sources = directives.get(directive) or directives.get("default-src") or []
        if not sources:
            problems.append(f"no {directive} (nor default-src) in the policy")
        if "'unsafe-inline'" in sources or "'unsafe-eval'" in sources:
            problems.append(f"{directive} allows unsafe-inline or unsafe-eval")
    return problems


def page_problems(response) -> list[str]:
    """Everything wrong with an HTML response (an empty list for a good page)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    problems = header_problems(response)
    if not getattr(response, "streaming", False):
        problems += html_problems(response.content.decode(response.charset or "utf-8", "replace"),
                                  response.get("Content-Security-Policy", ""))
    return problems


class CheckEveryPage:
    """Tests only: any HTML page the suite renders that breaks the rules above fails the
    test that asked for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        problems = page_problems(response)
        if problems:
            raise AssertionError(f"{request.method} {request.path}: " + "; ".join(problems))
        return response
