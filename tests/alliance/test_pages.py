"""The owners' webhooks page: usable without JavaScript, behind log-in, showing only what
the user keeps; the secret shown once."""

import pytest

from jusha.alliance.models import Delivery, Endpoint
from tests.factories import PASSWORD, give, make_member, make_org, make_project

pytestmark = pytest.mark.django_db


def test_an_owner_adds_an_endpoint_sees_its_deliveries_and_replays_one(client, loopback, django_capture_on_commit_callbacks):
    org = make_org()
    owner = make_member(org, "owner")
    project = make_project(org)
    client.login(email=owner.email, password=PASSWORD)
    page = client.get("/alliance/webhooks/")
    assert page.status_code == 200
    loopback.answer("/hook", 200)
    response = client.post("/alliance/webhooks/", {
        "organisation": org.pk, "url": loopback.base + "/hook", "events": ["donation.paid", "project.updated"],
        "description": "CRM",
    })
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in response.content.decode()  # shown once, right after
    assert endpoint.secret not in client.get("/alliance/webhooks/").content.decode()
    give(project, 5000)
    delivery = Delivery.objects.get()
    page = client.get("/alliance/webhooks/").content.decode()
    assert "donation.paid" in page and f"/deliveries/{delivery.pk}/replay/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/alliance/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    assert len(loopback.posts("/hook")) == 2
    client.post(f"/alliance/webhooks/{endpoint.pk}/switch/")
    assert not Endpoint.objects.get().active


def test_the_page_refuses_strangers_and_private_addresses(client, settings):
    org = make_org()
    owner = make_member(org, "owner")
    other = make_org()
    other_owner = make_member(other, "owner")
    assert client.get("/alliance/webhooks/").status_code == 302  # log in first
    client.login(email=owner.email, password=PASSWORD)
    settings.JUSHA_ALLOW_PRIVATE_FETCH = False
    response = client.post("/alliance/webhooks/", {"organisation": org.pk, "url": "https://10.0.0.1/x",
                                                   "events": ["donation.paid"]})
    assert response.status_code == 200 and "private" in response.content.decode()
    response = client.post("/alliance/webhooks/", {"organisation": other.pk, "url": "https://example.org/x",
                                                   "events": ["donation.paid"]})
    assert response.status_code == 200  # not one of the choices: a form error
    assert not Endpoint.objects.exists()
    theirs = Endpoint.objects.create(organisation=other, url="https://example.org/x", events=",donation.paid,",
                                     secret="whsec_AAAA", created_by=other_owner)
    assert client.post(f"/alliance/webhooks/{theirs.pk}/switch/").status_code == 404
    assert Endpoint.objects.get().active


def test_an_owners_dashboard_leads_to_webhooks(client):
    org = make_org()
    owner = make_member(org, "owner")
    editor = make_member(org, "editor")
    client.login(email=owner.email, password=PASSWORD)
    assert "/alliance/webhooks/" in client.get("/orgs/dashboard/").content.decode()
    client.login(email=editor.email, password=PASSWORD)
    assert "/alliance/webhooks/" not in client.get("/orgs/dashboard/").content.decode()
