"""Helpers for the social tests: sharers, visitors and gifts made through share links."""

import itertools

import pytest

from jusha.core.money import Money
from jusha.core.client import ClientContext
from jusha.social.visitors import Visitor, salted

_n = itertools.count(1)
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0"


def guest(name: str | None = None, **extra) -> Visitor:
    """A guest browser: its own sharer key and visitor id."""
    name = name or f"guest-{next(_n)}"
    return Visitor(sharer=salted("sharer:" + name), visitor_id=salted("visitor:" + name), user_agent=BROWSER,
                   rate_key=salted("ip:" + name), **extra)


def member(user) -> Visitor:
    return Visitor(
        user=user, visitor_id=salted(f"visitor:user{user.pk}"), user_agent=BROWSER, rate_key=salted(f"ip:{user.pk}")
    )


def share(project, visitor, **kwargs):
    from jusha.social.services import share_link_for

    link, _created = share_link_for(project=project, visitor=visitor, **kwargs)
    return link


def give_via(project, code, amount=5000, *, visitor=None, result="succeeded", **fields):
    """A gift through the real flow (intent, payer's choice, signed notification) made with
    a share-link code, as the API and the donate form do."""
    from django.test import TestCase

    from jusha.giving.services import donation_open
    from jusha.payments.sandbox import SandboxProvider
    from jusha.social.services import attribution_capture

    donor = fields.get("donor")
    visitor = visitor or (member(donor) if donor else guest())
    donation, token = donation_open(project=project, amount=Money(amount, project.currency), client=ClientContext(), **fields)
    attribution_capture(donation=donation, code=code, visitor=visitor)
    if result:
        with TestCase.captureOnCommitCallbacks(execute=True):
            SandboxProvider().complete(donation.intent_id, result)
        donation.refresh_from_db()
    donation.access_token = token
    return donation


@pytest.fixture
def sharer():
    from tests.factories import make_user

    return make_user("sharer@example.org", display_name="Sharer")
