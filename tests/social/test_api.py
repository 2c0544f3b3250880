"""The sharing API: share links, their owner-only figures, gifts with "ref", the relay."""

import json
import uuid

import pytest

from jusha.accounts.services import api_token_create
from jusha.giving.models import Donation
from jusha.social.models import Attribution, RelayPath, ShareLink
from tests.factories import make_project, make_user
from tests.social.conftest import give_via, guest, share

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = api_token_create(name="t", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def make_link(client, slug, auth):
    return client.post(f"/api/v1/projects/{slug}/share-links", content_type="application/json", **auth)


def donate(client, slug, body, key=None, **headers):
    return client.post(
        f"/api/v1/projects/{slug}/donations", json.dumps(body), content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex, **headers,
    )


def pay(client, donation_id):
    response = client.post(
        f"/api/v1/sandbox/payments/{donation_id}/complete", json.dumps({"result": "succeeded"}),
        content_type="application/json",
    )
    assert response.status_code == 200


def figures(client, code, **auth):
    return client.get(f"/api/v1/share-links/{code}", **auth)


def state():
    return ShareLink.objects.count(), RelayPath.objects.count(), Attribution.objects.count()


def test_member_makes_a_share_link(client, project, sharer):
    auth = bearer(sharer)
    response = make_link(client, project.slug, auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"code", "url", "poster_url"}
    assert body["url"] == f"http://testserver/s/{body['code']}"
    assert body["poster_url"] == f"http://testserver/s/{body['code']}/poster.svg"
    again = make_link(client, project.slug, auth)
    assert again.status_code == 200 and again.json() == body
    assert client.get(body["url"]).status_code == 302
    assert client.get(body["poster_url"]).status_code == 200


def test_making_a_link_needs_a_member(client, project):
    response = make_link(client, project.slug, {})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    response = make_link(client, project.slug, {"HTTP_AUTHORIZATION": "Bearer nope"})
    assert response.status_code == 401
    assert state() == (0, 0, 0)


def test_links_for_unknown_draft_or_closed_projects(client, sharer):
    auth = bearer(sharer)
    assert make_link(client, "no-such-project", auth).status_code == 404
    assert make_link(client, make_project(status="draft").slug, auth).status_code == 404
    for status in ("funded", "completed", "cancelled"):
        response = make_link(client, make_project(status=status).slug, auth)
        assert response.status_code == 409, status
        assert response.json()["code"] in {"project_not_fundraising", "project_fully_funded"}
    assert state() == (0, 0, 0)


def test_a_blocked_member_is_refused(client, project, sharer, staff):
    from jusha.social.services import sharer_block

    sharer_block(user=sharer, reason="spam", actor=staff)
    response = make_link(client, project.slug, bearer(sharer))
    assert response.status_code == 403 and response.json()["code"] == "sharer_blocked"
    assert state() == (0, 0, 0)


def test_link_floods_are_rate_limited(client, sharer, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "share_link_create": (3, 60)}
    auth = bearer(sharer)
    projects = [make_project() for _ in range(5)]
    statuses = [make_link(client, p.slug, auth).status_code for p in projects]
    assert statuses == [201, 201, 201, 429, 429]
    response = make_link(client, projects[4].slug, auth)
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) >= 1
    assert ShareLink.objects.count() == 3


def test_figures_only_for_the_owner(client, project, sharer):
    code = make_link(client, project.slug, bearer(sharer)).json()["code"]
    give_via(project, code, 4000)
    mine = figures(client, code, **bearer(sharer))
    assert mine.status_code == 200
    assert mine.json() == {
        "code": code, "opens": 0, "donations": 1, "amount": 4000, "downstream_donations": 1,
        "downstream_amount": 4000, "depth": 1, "currency": "CNY",
    }
    stranger = make_user()
    for auth in ({}, bearer(stranger)):
        response = figures(client, code, **auth)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(stranger)
    assert figures(client, code).status_code == 404
    for bad in ("nonsense", "ABCDEFGH", "x" * 500, "23456789"):
        assert figures(client, bad, **bearer(sharer)).status_code == 404


def test_guest_reads_their_own_links_figures_with_their_session(client, project):
    client.post(f"/s/share/{project.slug}/")
    link = ShareLink.objects.get()
    assert link.owner is None and link.session_digest
    assert figures(client, link.code).status_code == 200
    from django.test import Client

    assert figures(Client(), link.code).status_code == 404


def test_amounts_of_few_anonymous_gifts_stay_hidden_even_from_the_owner(client, project, sharer):
    code = make_link(client, project.slug, bearer(sharer)).json()["code"]
    give_via(project, code, 4000, anonymous=True)
    body = figures(client, code, **bearer(sharer)).json()
    assert body["donations"] == 1 and body["amount"] is None and body["downstream_amount"] is None
    give_via(project, code, 1000)
    give_via(project, code, 2000)
    body = figures(client, code, **bearer(sharer)).json()
    assert body["donations"] == 3 and body["amount"] == 7000


def test_a_gift_with_ref_is_attributed_once_paid(client, project, sharer):
    code = make_link(client, project.slug, bearer(sharer)).json()["code"]
    response = donate(client, project.slug, {"amount": 5000, "ref": code})
    assert response.status_code == 201, response.content
    donation_id = response.json()["id"]
    assert figures(client, code, **bearer(sharer)).json()["donations"] == 0  # not paid yet
    pay(client, donation_id)
    body = figures(client, code, **bearer(sharer)).json()
    assert body["donations"] == 1 and body["amount"] == 5000


@pytest.mark.parametrize("ref", ["", "garbage", "ABCDEFGH", "2345678923456789", "../../etc/passwd", "x" * 200])
def test_bad_refs_are_ignored_and_the_gift_goes_through(client, project, ref):
    response = donate(client, project.slug, {"amount": 500, "ref": ref})
    assert response.status_code == 201
    pay(client, response.json()["id"])
    assert Donation.objects.get().status == "paid" and Attribution.objects.count() == 0


def test_a_ref_longer_than_200_is_invalid_and_changes_nothing(client, project):
    response = donate(client, project.slug, {"amount": 500, "ref": "x" * 201})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert Donation.objects.count() == 0 and Attribution.objects.count() == 0


def test_foreign_expired_and_own_codes_are_ignored(client, project, sharer):
    from datetime import timedelta

    from django.utils import timezone

    foreign = share(make_project(), guest("elsewhere"))
    expired = share(project, guest("old"))
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    own = make_link(client, project.slug, bearer(sharer)).json()["code"]
    for code, auth in ((foreign.code, {}), (expired.code, {}), (own, bearer(sharer))):
        response = donate(client, project.slug, {"amount": 500, "ref": code}, **auth)
        assert response.status_code == 201
    assert Donation.objects.count() == 3 and Attribution.objects.count() == 0


def test_ref_is_part_of_the_idempotency_fingerprint(client, project, sharer):
    code = share(project, guest("s")).code
    first = donate(client, project.slug, {"amount": 500, "ref": code}, key="k1")
    replay = donate(client, project.slug, {"amount": 500, "ref": code}, key="k1")
    assert first.status_code == replay.status_code == 201 and first.json() == replay.json()
    other = donate(client, project.slug, {"amount": 500, "ref": ""}, key="k1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Donation.objects.count() == 1 and Attribution.objects.count() == 1


def test_project_relay_in_aggregate(client, project, sharer):
    root = share(project, guest("root"))
    few = client.get(f"/api/v1/projects/{project.slug}/relay")
    assert few.status_code == 200
    body = few.json()
    assert body["links"] == 1 and body["donations"] == "<3" and body["amount"] is None and body["k"] is None
    for amount in (100, 200, 300):
        give_via(project, root.code, amount)
    body = client.get(f"/api/v1/projects/{project.slug}/relay").json()
    assert body["donations"] == 3 and body["amount"] == 600 and body["donors"] == 3 and body["k"] == 3.0
    assert body["max_depth"] == 1
    assert body["depths"] == [{"depth": 1, "links": 1, "opens": 0, "donations": 3, "amount": 600}]
    assert body["branching"] == {"links_with_children": 0, "mean_children": 0.0, "max_children": 0}
    assert client.get("/api/v1/projects/nope/relay").status_code == 404
    assert client.get(f"/api/v1/projects/{make_project(status='draft').slug}/relay").status_code == 404


def test_reports_through_the_api(client, project, sharer):
    link = share(project, guest("g"))
    reporter = make_user()
    url = f"/api/v1/share-links/{link.code}/reports"
    assert client.post(url, {"reason": "spam"}, content_type="application/json").status_code == 401
    response = client.post(url, {"reason": "spam"}, content_type="application/json", **bearer(reporter))
    assert response.status_code == 201
    again = client.post(url, {"reason": "spam"}, content_type="application/json", **bearer(reporter))
    assert again.status_code == 409 and again.json()["code"] == "already_reported"
    missing = client.post(
        "/api/v1/share-links/23456789/reports", {"reason": "x"}, content_type="application/json", **bearer(reporter)
    )
    assert missing.status_code == 404


def test_openapi_lists_the_contract(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/projects/{slug}/share-links"]
    assert "get" in paths["/api/v1/share-links/{code}"]
    assert "get" in paths["/api/v1/projects/{slug}/relay"]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["DonationIn"]
    assert "ref" in schema["properties"]


def test_asking_again_once_the_project_is_closed_is_409(client, project, sharer):
    auth = bearer(sharer)
    body = make_link(client, project.slug, auth).json()
    project.__class__.objects.filter(pk=project.pk).update(status="funded")
    response = make_link(client, project.slug, auth)
    # A funded project is full: the cooler's code for it (issue 17).
    assert response.status_code == 409 and response.json()["code"] == "project_fully_funded"
    assert list(ShareLink.objects.values_list("code", flat=True)) == [body["code"]]
