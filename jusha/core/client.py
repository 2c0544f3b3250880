"""Who is on the other end of a request, as far as the services need to know, built once at
the edge. Services never receive `request` objects: views and APIs build a ClientContext
and pass it on; whoever keeps any of it keeps only salted hashes."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.utils import translation

from jusha.core.ratelimit import client_ip

DEVICE_COOKIE = "jusha_device"  # a random id per browser (only salted hashes of it are stored)
DEVICE_VALUE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SHARER_TOKEN = "jusha_sharer"  # session key: a random token naming this browser as a sharer
REFS = "jusha_refs"  # session key: {project id: the last share-link code this browser opened for it}


@dataclass(frozen=True)
class ClientContext:
    network: str = ""  # the client's address as this server sees it ("" when unknown)
    device: str = ""  # this browser's device cookie, when it has a well-formed one
    user_agent: str = ""
    language: str = ""
    sharer_token: str = ""  # this browser session's sharer token, when it has one
    refs: tuple[tuple[str, str], ...] = ()  # (project id, share-link code) this browser came through

    def ref_for(self, project) -> str:
        return dict(self.refs).get(str(project.pk), "")

    @classmethod
    def of(cls, request) -> ClientContext:
        network = client_ip(request)
        device = request.COOKIES.get(DEVICE_COOKIE, "")
        session = getattr(request, "session", None)
        return cls(
            network="" if network == "unknown" else network,
            device=device if DEVICE_VALUE.match(device) else "",
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
            language=getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or "",
            sharer_token=session.get(SHARER_TOKEN, "") if session is not None else "",
            refs=tuple(session.get(REFS, {}).items()) if session is not None else (),
        )


def device_cookie(request, response):
    """Give the browser a random device id if it has none (only its salted hash is ever stored)."""
    if not DEVICE_VALUE.match(request.COOKIES.get(DEVICE_COOKIE, "")):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(24), max_age=365 * 86400, httponly=True, samesite="Lax")
    return response
