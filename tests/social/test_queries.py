"""Project, relay and sharing pages read a constant number of queries as the relay grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jusha.accounts.services import api_token_create
from jusha.social import services
from tests.factories import make_member
from tests.social.conftest import give_via, guest, member, share
from tests.social.test_pages import browser

pytestmark = pytest.mark.django_db


def queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def grow(project, parent, people: int, start: int):
    """`people` more guests give through `parent`, light the relay and pass it on in a chain."""
    for n in range(start, start + people):
        visitor = guest(f"grow-{n}")
        lit = services.relay_light(donation=give_via(project, parent.code, 1000 + n, visitor=visitor), visitor=visitor)
        services.share_open_record(link=lit, visitor=guest(f"reader-{n}"))
        give_via(project, lit.code, 500, anonymous=bool(n % 2))
        parent = lit
    return parent


def test_pages_and_api_are_constant_as_the_relay_grows(project, sharer):
    root = share(project, member(sharer))
    editor = make_member(project.organisation, "editor")
    _token, secret = api_token_create(name="t", actor=sharer)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    owner, org, anyone = browser(), browser(), browser()
    owner.force_login(sharer)
    org.force_login(editor)
    last = grow(project, root, 2, 0)
    pages = [
        (anyone, f"/projects/{project.slug}/", {}),
        (owner, f"/projects/{project.slug}/", {}),
        (anyone, f"/s/relay/{project.slug}/", {}),
        (owner, f"/s/relay/{project.slug}/", {}),
        (owner, f"/s/share/{project.slug}/", {}),
        (owner, "/s/me/", {}),
        (org, f"/s/dashboard/{project.slug}/", {}),
        (anyone, f"/api/v1/projects/{project.slug}/relay", {}),
        (anyone, f"/api/v1/share-links/{root.code}", auth),
    ]
    [queries(client, url, **extra) for client, url, extra in pages]  # warm up (sessions, token last-used)
    few = [queries(client, url, **extra) for client, url, extra in pages]
    last = grow(project, last, 12, 2)
    grow(project, root, 6, 20)  # a second branch
    assert [queries(client, url, **extra) for client, url, extra in pages] == few
