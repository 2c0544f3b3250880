"""Sightings without a third-party captcha: a honeypot field, a minimum time between
showing the form and sending it, and a per-network limit (core.ratelimit)."""

from django.utils.translation import gettext as _

from jusha.core.errors import Invalid
from jusha.core.ratelimit import client_network, rate_limit

MIN_MS = 3000  # a person takes longer than this to describe what they saw


def sighting_guard(request, *, honeypot: str, elapsed_ms) -> None:
    if honeypot:
        raise Invalid(_("This form could not be accepted."), code="spam_suspected")
    if elapsed_ms is not None and elapsed_ms < MIN_MS:
        raise Invalid(_("That was very fast: please take a moment and send the form again."), code="too_fast")
    rate_limit("missing_sighting", client_network(request))
