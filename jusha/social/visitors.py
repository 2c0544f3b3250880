"""Who is asking, as far as sharing needs to know: the member, this browser's sharer key,
and a visitor id. Only salted hashes (JUSHA_VISITOR_SALT) leave this module: never an
address, never a session key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

from jusha.core.client import REFS, SHARER_TOKEN, ClientContext

MAX_REFS = 20


def salted(value: str) -> str:
    return hmac.new(settings.JUSHA_VISITOR_SALT.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Visitor:
    user: object | None = None
    sharer: str = ""  # salted hash of this browser session's sharer token; "" until it has one
    visitor_id: str = ""  # salted hash of address and browser: what opens are counted by
    user_agent: str = ""
    rate_key: str = ""  # salted address, for rate limits

    @property
    def member(self):
        return self.user if getattr(self.user, "is_authenticated", False) else None

    def owns(self, link) -> bool:
        member = self.member
        return bool((member and link.owner_id == member.pk) or (self.sharer and link.session_digest == self.sharer))


def visitor_of(request, *, as_sharer: bool = False) -> Visitor:
    """The visitor behind a request. `as_sharer` gives a guest browser its sharer token
    (kept in the session, so it survives logging in) if it has none yet."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if as_sharer and session is not None and not session.get(SHARER_TOKEN) and not getattr(user, "is_authenticated", False):
        session[SHARER_TOKEN] = secrets.token_urlsafe(24)
    return visitor_from(ClientContext.of(request), user=user)


def visitor_from(client: ClientContext, *, user=None) -> Visitor:
    """The visitor a service sees, from the client context its edge built."""
    token, network, agent = client.sharer_token, client.network or "unknown", client.user_agent
    return Visitor(
        user=user,
        sharer=salted("sharer:" + token) if token else "",
        visitor_id=salted(f"visitor:{network}|{agent}"),
        user_agent=agent,
        rate_key=salted("ip:" + network),
    )


def donor_key(donation, visitor: Visitor) -> str:
    """One key per donor, for counting distinct donors: the member, else this browser's
    sharer, else the receipt email, else the gift itself."""
    if donation.donor_id:
        return f"u{donation.donor_id}"
    if visitor.sharer:
        return "s" + visitor.sharer
    if donation.email:
        return "e" + salted("email:" + donation.email.lower())
    return "d" + donation.pk.hex


def remember_ref(request, link) -> None:
    """The share link this browser last came through for the link's project."""
    refs = dict(request.session.get(REFS, {}))
    refs.pop(str(link.project_id), None)
    refs[str(link.project_id)] = link.code
    request.session[REFS] = dict(list(refs.items())[-MAX_REFS:])


def remembered_ref(request, project) -> str:
    session = getattr(request, "session", None)
    return session.get(REFS, {}).get(str(project.pk), "") if session is not None else ""
