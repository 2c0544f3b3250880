"""Signed webhooks: subscribe by API, a gift's event arrives signed per Standard Webhooks
at a receiver on loopback, failures are retried with backoff, logged, replayed with the
same webhook-id, and an endpoint failing for a day is switched off with an email."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from jusha.accounts.services import api_token_create
from jusha.alliance import rules, services
from jusha.alliance.models import Attempt, Delivery, Endpoint
from jusha.projects.services import update_post
from tests.factories import give, make_member, make_org, make_project, make_user
from tests.gifts import refund

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = api_token_create(name="t", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def subscribe(client, user, url, events=("donation.paid",), organisation=None):
    body = {"url": url, "events": list(events), "organisation": organisation}
    return client.post("/api/v1/webhooks", body, content_type="application/json", **bearer(user))


@pytest.fixture
def owned():
    org = make_org()
    owner = make_member(org, "owner")
    project = make_project(org)
    return org, owner, project


def verify(secret, seen) -> dict:
    """The receiver's check, with the Standard Webhooks library itself."""
    return Webhook(secret).verify(seen.body, seen.headers)


def test_a_paid_gift_arrives_signed_at_the_receiver(client, owned, loopback, django_capture_on_commit_callbacks):
    org, owner, project = owned
    loopback.answer("/hook", 204)
    response = subscribe(client, owner, loopback.base + "/hook", ["donation.paid", "donation.refunded"], org.slug)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["events"] == ["donation.paid", "donation.refunded"]
    assert created["organisation"] == org.slug and created["active"] is True

    donation = give(project, 8800, name="小李")

    [seen] = loopback.posts("/hook")
    event = verify(created["secret"], seen)
    assert event["type"] == "donation.paid"
    assert event["data"]["id"] == str(donation.pk)
    assert event["data"]["amount"] == 8800 and event["data"]["currency"] == "CNY"
    assert event["data"]["project"] == project.slug and event["data"]["organisation"] == org.slug
    assert "email" not in json.dumps(event)  # a donor's contact details never leave
    assert seen.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.msg_id == seen.headers["webhook-id"]
    assert Attempt.objects.get(delivery=delivery).status_code == 204

    staff = make_user(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        refund(donation, 3000, actor=staff)
    refunded = [verify(created["secret"], s) for s in loopback.posts("/hook")[1:]]
    assert [e["type"] for e in refunded] == ["donation.refunded"]
    assert refunded[0]["data"]["amount"] == 3000


def test_another_organisations_events_are_not_sent(client, owned, loopback):
    org, owner, _project = owned
    loopback.answer("/hook", 200)
    assert subscribe(client, owner, loopback.base + "/hook", organisation=org.slug).status_code == 201
    give(make_project(), 5000)  # someone else's project
    assert loopback.posts() == [] and not Delivery.objects.exists()


def test_a_tampered_body_or_another_secret_does_not_verify(client, owned, loopback):
    org, owner, project = owned
    loopback.answer("/hook", 200)
    secret = subscribe(client, owner, loopback.base + "/hook", organisation=org.slug).json()["secret"]
    give(project, 5000)
    [seen] = loopback.posts()
    from standardwebhooks.webhooks import WebhookVerificationError

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(seen.body.replace(b"5000", b"9000"), seen.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(seen.body, seen.headers)


def test_a_failing_receiver_is_retried_with_backoff_then_delivered_with_the_same_id(client, owned, loopback):
    org, owner, project = owned
    loopback.answer("/hook", 500, 503, 200)
    secret = subscribe(client, owner, loopback.base + "/hook", organisation=org.slug).json()["secret"]
    started = timezone.now()
    give(project, 5000)

    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 1 and delivery.last_status_code == 500
    first_wait = delivery.next_attempt_at - started
    assert timedelta(seconds=8) < first_wait < timedelta(seconds=13)
    assert services.deliveries_send_due() == 0  # not due yet: nothing sent

    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert services.deliveries_send_due(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == "retrying" and delivery.attempts == 2 and delivery.last_status_code == 503
    second_wait = delivery.next_attempt_at - later
    assert second_wait > first_wait  # the waits grow

    services.deliveries_send_due(now=delivery.next_attempt_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3
    ids = {s.headers["webhook-id"] for s in loopback.posts()}
    assert ids == {delivery.msg_id}  # three attempts, one id: the receiver takes it once
    assert all(verify(secret, s)["type"] == "donation.paid" for s in loopback.posts())
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    # The log through the API, with each attempt's answer.
    listed = client.get(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries", **bearer(owner)).json()
    assert listed["count"] == 1
    assert [a["status_code"] for a in listed["items"][0]["attempt_log"]] == [500, 503, 200]


def test_an_endpoint_that_hangs_costs_one_time_out_and_is_retried(client, owned, loopback, settings):
    org, owner, project = owned
    settings.JUSHA_WEBHOOK_TIMEOUT = 0.3
    loopback.answer("/slow", (200, b"", "text/plain", 1.5))
    subscribe(client, owner, loopback.base + "/slow", organisation=org.slug)
    give(project, 5000)
    give(project, 6000)
    assert Delivery.objects.count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"retrying"}
    assert all("timed out" in d.last_error for d in Delivery.objects.all())
    # One sweep later, a still-hanging endpoint is tried once, not once per waiting event.
    later = timezone.now() + timedelta(minutes=5)
    assert services.deliveries_send_due(now=later) == 1


def test_persistent_failure_gives_up_after_a_day_and_switches_the_endpoint_off_with_an_email(
        client, owned, loopback, django_capture_on_commit_callbacks):
    org, owner, project = owned
    loopback.answer("/down", 502)
    subscribe(client, owner, loopback.base + "/down", organisation=org.slug)
    give(project, 5000)
    delivery = Delivery.objects.get()
    now = timezone.now()
    Endpoint.objects.update(failing_since=now - timedelta(hours=25))
    for _ in range(rules.MAX_ATTEMPTS):
        delivery.refresh_from_db()
        if delivery.status == "failed":
            break
        now = delivery.next_attempt_at + timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.deliveries_send_due(now=now)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == rules.MAX_ATTEMPTS
    endpoint = Endpoint.objects.get()
    assert not endpoint.active and endpoint.disabled_reason
    owners = set(org.memberships.filter(role="owner").values_list("user__email", flat=True))
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == owners and owner.email in owners
    assert endpoint.url in mail.outbox[0].body
    # Events that happen while it is off are kept, not sent, and go out once it is back on.
    loopback.answer("/down", 200)
    sent_before = len(loopback.posts())
    give(project, 7000)
    assert len(loopback.posts()) == sent_before
    waiting = Delivery.objects.get(status="pending")
    response = client.post(f"/api/v1/webhooks/{endpoint.pk}/enable", **bearer(owner))
    assert response.status_code == 200 and response.json()["active"] is True
    services.deliveries_send_due()
    waiting.refresh_from_db()
    assert waiting.status == "delivered"


def test_replay_sends_again_with_the_same_webhook_id(client, owned, loopback, django_capture_on_commit_callbacks):
    org, owner, project = owned
    loopback.answer("/hook", 200)
    endpoint_id = subscribe(client, owner, loopback.base + "/hook", organisation=org.slug).json()["id"]
    give(project, 5000)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/webhooks/{endpoint_id}/deliveries/{delivery.pk}/replay", **bearer(owner))
    assert response.status_code == 202, response.content
    first, second = loopback.posts()
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.msg_id
    assert first.body == second.body
    assert [a.replay for a in Attempt.objects.filter(delivery=delivery)] == [False, True]


def test_a_delivery_still_being_sent_cannot_be_replayed(client, owned, loopback):
    org, owner, project = owned
    loopback.answer("/hook", 500)
    endpoint_id = subscribe(client, owner, loopback.base + "/hook", organisation=org.slug).json()["id"]
    give(project, 5000)
    delivery = Delivery.objects.get()
    response = client.post(f"/api/v1/webhooks/{endpoint_id}/deliveries/{delivery.pk}/replay", **bearer(owner))
    assert response.status_code == 409 and response.json()["code"] == "delivery_in_flight"
    assert Delivery.objects.get().attempts == 1


def test_private_addresses_are_refused_unless_settings_allow(client, owned, settings):
    org, owner, _project = owned
    settings.JUSHA_ALLOW_PRIVATE_FETCH = False
    for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook", "https://localhost/hook",
                "http://example.org/hook", "ftp://example.org/x"):
        response = subscribe(client, owner, url, organisation=org.slug)
        assert response.status_code == 422, url
        assert response.json()["code"] in ("url_not_allowed", "url_not_https"), url
    assert not Endpoint.objects.exists()


def test_who_may_subscribe(client, owned, loopback):
    org, owner, _project = owned
    url = loopback.base + "/hook"
    editor = make_member(org, "editor")
    stranger = make_user()
    staff = make_user(is_staff=True)
    assert subscribe(client, editor, url, organisation=org.slug).status_code == 403
    assert subscribe(client, stranger, url, organisation=org.slug).status_code == 403
    assert subscribe(client, owner, url, organisation=None).status_code == 403  # platform-wide: staff only
    assert subscribe(client, owner, url, organisation="no-such-org").status_code == 404
    response = client.post("/api/v1/webhooks", {"url": url, "events": ["donation.paid"]}, content_type="application/json")
    assert response.status_code == 401
    assert not Endpoint.objects.exists()
    assert subscribe(client, staff, url, organisation=None).status_code == 201  # every organisation's events
    assert subscribe(client, staff, url, organisation=org.slug).status_code == 201


def test_bad_events_are_refused(client, owned, loopback):
    org, owner, _project = owned
    url = loopback.base + "/hook"
    response = subscribe(client, owner, url, ["donation.stolen"], org.slug)
    assert response.status_code == 422 and response.json()["code"] == "event_unknown"
    response = subscribe(client, owner, url, [], org.slug)
    assert response.status_code == 422
    assert not Endpoint.objects.exists()


def test_lists_show_only_what_the_caller_keeps(client, owned, loopback):
    org, owner, project = owned
    loopback.answer("/hook", 200)
    mine = subscribe(client, owner, loopback.base + "/hook", organisation=org.slug).json()["id"]
    other_org = make_org()
    other_owner = make_member(other_org, "owner")
    theirs = subscribe(client, other_owner, loopback.base + "/hook", organisation=other_org.slug).json()["id"]
    listed = client.get("/api/v1/webhooks", **bearer(owner)).json()
    assert [e["id"] for e in listed["items"]] == [mine] and listed["count"] == 1
    assert "secret" not in listed["items"][0]
    assert client.get(f"/api/v1/webhooks/{theirs}/deliveries", **bearer(owner)).status_code == 404
    give(project, 5000)
    delivery = Delivery.objects.get()
    response = client.post(f"/api/v1/webhooks/{theirs}/deliveries/{delivery.pk}/replay", **bearer(owner))
    assert response.status_code == 404
    assert Attempt.objects.count() == 1


def test_platform_wide_endpoints_hear_every_organisation(client, loopback, django_capture_on_commit_callbacks):
    staff = make_user(is_staff=True)
    loopback.answer("/all", 200)
    secret = subscribe(client, staff, loopback.base + "/all", ["project.status_changed"], None).json()["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        make_project(make_org())  # draft → in review → fundraising
    kinds = [(verify(secret, s)["data"]["from"], verify(secret, s)["data"]["to"]) for s in loopback.posts()]
    assert kinds == [("draft", "in_review"), ("in_review", "fundraising")]


def test_progress_updates_and_expenditures_are_events_too(client, owned, loopback, django_capture_on_commit_callbacks):
    import datetime

    from jusha.core.money import Money
    from jusha.ledger.services import expenditure_record
    from tests.factories import image_upload

    org, owner, project = owned
    loopback.answer("/hook", 200)
    secret = subscribe(client, owner, loopback.base + "/hook", ["project.updated", "expenditure.recorded"],
                       org.slug).json()["secret"]
    give(project, 50_000)
    with django_capture_on_commit_callbacks(execute=True):
        update_post(project=project, actor=owner, title="第一批已送达", body="老人们收到了暖包。")
        expenditure_record(project=project, budget_line=project.budget_lines.first(), amount=Money(12_000, "CNY"),
                           description="暖包", spent_on=datetime.date(2026, 11, 2), voucher=image_upload(),
                           actor=make_member(org, "finance"))
    events = [verify(secret, s) for s in loopback.posts()]
    assert [e["type"] for e in events] == ["project.updated", "expenditure.recorded"]
    assert events[0]["data"]["update"]["title"] == "第一批已送达"
    assert events[1]["data"]["amount"] == 12_000 and events[1]["data"]["budget_line"] == "Warm packs"


def test_a_broken_alliance_never_undoes_a_gift(owned, monkeypatch):
    org, _owner, project = owned
    Endpoint.objects.create(organisation=org, url="https://example.org/x", events=",donation.paid,",
                            secret=services.new_secret())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_deliveries_create", broken)
    donation = give(project, 5000)
    assert donation.status == "paid"
    assert not Delivery.objects.exists()


def test_odd_addresses_are_refused_clearly_not_with_a_server_error(client, owned, settings):
    org, owner, _project = owned
    settings.JUSHA_ALLOW_PRIVATE_FETCH = False
    for url in ("https://[::1", "https://example.org:99999/x", "https://" + "a" * 70 + ".example/x",
                "https://xn--/x", "https:///nohost"):
        response = subscribe(client, owner, url, organisation=org.slug)
        assert response.status_code == 422, (url, response.content)
    assert not Endpoint.objects.exists()
