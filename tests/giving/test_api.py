"""The donation API end to end: create → sandbox pay → signed notification → journal."""

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jusha.giving.models import Donation
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.payments import signing
from jusha.payments.models import PaymentEvent
from tests.factories import give, make_project

pytestmark = pytest.mark.django_db


def create(client, slug, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key or uuid.uuid4().hex}
    return client.post(f"/api/v1/projects/{slug}/donations", json.dumps(body), content_type="application/json", **headers)


def complete(client, donation_id, result="succeeded"):
    return client.post(
        f"/api/v1/sandbox/payments/{donation_id}/complete", json.dumps({"result": result}), content_type="application/json"
    )


def state():
    return (Donation.objects.count(), JournalEntry.objects.count(), PaymentEvent.objects.count())


def test_guest_gift_end_to_end(client, project):
    response = create(client, project.slug, {"amount": 5000, "currency": "CNY", "message": "加油", "email": "g@example.org"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["amount"] == 5000 and body["currency"] == "CNY"
    assert body["payment_url"].startswith("http://testserver/pay/sandbox/")
    assert body["access_token"]
    assert project_sums([project.pk])[project.pk].raised == 0

    paid = complete(client, body["id"])
    assert paid.status_code == 200
    assert paid.json()["notification"]["status"] == 200
    assert paid.json()["donation"]["status"] == "paid"

    detail = client.get(f"/api/v1/donations/{body['id']}").json()
    assert detail["status"] == "paid" and detail["receipt_number"].startswith("JS")
    assert "message" not in detail and "email" not in detail
    private = client.get(f"/api/v1/donations/{body['id']}?access_token={body['access_token']}").json()
    assert private["message"] == "加油" and private["email"] == "g@example.org"
    bearer = client.get(f"/api/v1/donations/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert bearer["message"] == "加油"

    assert project_sums([project.pk])[project.pk].raised == 5000
    assert JournalEntry.objects.filter(kind="gift", reference=body["id"]).count() == 1
    ledger = client.get(f"/api/v1/projects/{project.slug}/ledger").json()
    assert ledger["count"] == 1
    assert ledger["items"][0]["kind"] == "gift" and ledger["items"][0]["direction"] == "in"
    assert ledger["items"][0]["amount"] == 5000 and ledger["items"][0]["currency"] == "CNY"
    assert "+08:00" in ledger["items"][0]["created_at"]
    call_command("ledger_check")


def test_failed_payment_moves_no_money(client, project):
    body = create(client, project.slug, {"amount": 5000}).json()
    assert complete(client, body["id"], "failed").status_code == 200
    assert Donation.objects.get(pk=body["id"]).status == "failed"
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({"amount": 0}, 422, "invalid_amount"),
        ({"amount": -100}, 422, "invalid_amount"),
        ({"amount": 10.5}, 422, "invalid"),
        ({"amount": "100"}, 422, "invalid"),
        ({"amount": True}, 422, "invalid"),
        ({"amount": 10**15}, 422, "amount_too_large"),
        ({}, 422, "invalid"),
        ({"amount": 100, "currency": "XYZ"}, 422, "invalid_currency"),
        ({"amount": 100, "currency": "USD"}, 422, "invalid_currency"),
        ({"amount": 100, "email": "not-an-email"}, 422, "invalid_email"),
        ({"amount": 100, "message": "x" * 201}, 422, "message_too_long"),
    ],
)
def test_bad_amounts_and_fields_change_nothing(client, project, payload, status, code):
    before = state()
    response = create(client, project.slug, payload)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert state() == before


def test_malformed_json_is_400(client, project):
    response = client.post(
        f"/api/v1/projects/{project.slug}/donations", "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    assert Donation.objects.count() == 0


def test_unknown_project_404_and_draft_404(client):
    assert create(client, "no-such-project", {"amount": 100}).status_code == 404
    draft = make_project(status="draft")
    response = create(client, draft.slug, {"amount": 100})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Donation.objects.count() == 0


@pytest.mark.parametrize("status", ["funded", "completed", "cancelled"])
def test_project_not_taking_gifts_409_with_suggestions(client, status):
    closed = make_project(status=status)
    open_project = make_project(status="fundraising")
    response = create(client, closed.slug, {"amount": 100})
    assert response.status_code == 409
    # A funded project is full (the cooler's code); the others are closed.
    assert response.json()["code"] == ("project_fully_funded" if status == "funded" else "project_not_fundraising")
    assert open_project.slug in response.json()["suggestions"]
    assert open_project.slug in [a["slug"] for a in response.json()["alternatives"]]
    assert Donation.objects.count() == 0


def test_fully_funded_project_points_elsewhere(client):
    full = make_project(goal=10_000)
    other = make_project(goal=10_000)
    give(full, 10_000)
    response = create(client, full.slug, {"amount": 100})
    assert response.status_code == 409
    assert response.json()["code"] == "project_fully_funded"
    assert other.slug in response.json()["suggestions"]


def test_idempotency_key_required_replayed_and_conflicting(client, project):
    response = client.post(f"/api/v1/projects/{project.slug}/donations", json.dumps({"amount": 100}), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_missing"
    assert Donation.objects.count() == 0

    first = create(client, project.slug, {"amount": 100}, key="same-key")
    again = create(client, project.slug, {"amount": 100}, key="same-key")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Donation.objects.count() == 1

    other = create(client, project.slug, {"amount": 200}, key="same-key")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Donation.objects.count() == 1


def test_replay_of_an_error_returns_the_same_error(client):
    closed = make_project(status="funded")
    first = create(client, closed.slug, {"amount": 100}, key="k-err")
    again = create(client, closed.slug, {"amount": 100}, key="k-err")
    assert first.status_code == again.status_code == 409
    assert first.json() == again.json()


def test_request_still_in_flight_is_409(client, project):
    from jusha.core.models import IdempotencyRecord

    body = {"amount": 100, "currency": "CNY", "message": "", "name": "", "anonymous": False, "email": ""}
    from jusha.core.idempotency import request_fingerprint

    IdempotencyRecord.objects.create(
        scope="anon", key="busy", fingerprint=request_fingerprint("POST", f"/api/v1/projects/{project.slug}/donations", body)
    )
    response = create(client, project.slug, {"amount": 100}, key="busy")
    assert response.status_code == 409 and response.json()["code"] == "request_in_flight"
    assert Donation.objects.count() == 0


# --- signed notifications -----------------------------------------------------------


def notification(donation, *, status="succeeded", secret=None, timestamp=None, event_id=None):
    from django.conf import settings

    event = {
        "id": event_id or f"evt_{donation.intent_id}_{status}",
        "type": f"payment.{status}",
        "created": int(time.time()),
        "data": {"intent_id": donation.intent_id, "amount": donation.amount, "currency": donation.currency, "reference": str(donation.pk)},
    }
    body = json.dumps(event).encode()
    header = signing.sign(secret or settings.JUSHA_SANDBOX_SECRET, body, timestamp or int(time.time()))
    return body, header


def post_notify(client, body, header):
    from django.test import TestCase

    extra = {"HTTP_X_JUSHA_SIGNATURE": header} if header is not None else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/api/v1/payments/sandbox/notify", body, content_type="application/json", **extra)


def pending_gift(project, amount=5000):
    return give(project, amount, result=None)


@pytest.mark.parametrize("case", ["missing", "wrong_secret", "stale", "future", "tampered", "malformed"])
def test_bad_signatures_get_400_and_change_nothing(client, project, case):
    donation = pending_gift(project)
    body, header = notification(donation)
    if case == "missing":
        header = None
    elif case == "wrong_secret":
        body, header = notification(donation, secret="not-the-secret")
    elif case == "stale":
        body, header = notification(donation, timestamp=int(time.time()) - 301)
    elif case == "future":
        body, header = notification(donation, timestamp=int(time.time()) + 400)
    elif case == "tampered":
        body = body.replace(b'"amount": 5000', b'"amount": 9000')
    elif case == "malformed":
        header = "t=now,v1=zz"
    before = state()
    response = post_notify(client, body, header)
    assert response.status_code == 400, response.content
    assert response.json()["code"].startswith("signature")
    assert state() == before
    donation.refresh_from_db()
    assert donation.status == "pending"


def test_genuine_notification_pays_exactly_once_and_replays_change_nothing(client, project):
    donation = pending_gift(project)
    body, header = notification(donation)
    first = post_notify(client, body, header)
    assert first.status_code == 200 and first.json()["status"] == "paid"
    before = state()
    for _ in range(3):
        replay = post_notify(client, body, header)
        assert replay.status_code == 200 and replay.json()["duplicate"] is True
    # A fresh event id for the same payment (a provider re-sending) is still one gift.
    body2, header2 = notification(donation, event_id="evt_other")
    assert post_notify(client, body2, header2).status_code == 200
    assert JournalEntry.objects.filter(kind="gift").count() == 1
    assert state()[0:2] == before[0:2]
    call_command("ledger_check")


def test_expired_intent_then_success_is_recorded_and_refunded_by_rule(client, project):
    donation = pending_gift(project)
    Donation.objects.filter(pk=donation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    from jusha.giving.services import donations_expire_stale
    from jusha.payments.models import SandboxCharge

    # The provider still had it pending: the intent is cancelled at the provider, the gift expires.
    assert donations_expire_stale() == 1
    donation.refresh_from_db()
    assert donation.status == "expired"
    assert SandboxCharge.objects.get(intent_id=donation.intent_id).status == "cancelled"

    # Cancelling is best effort at real providers: the payer's bank took the money anyway,
    # and a genuine success notification arrives. It is recorded, then refunded by the rule.
    SandboxCharge.objects.filter(intent_id=donation.intent_id).update(status="succeeded")
    body, header = notification(donation)
    assert post_notify(client, body, header).status_code == 200
    donation.refresh_from_db()
    assert donation.paid_at is not None
    assert donation.status == "refunded"  # project rule: refund overflow
    assert JournalEntry.objects.filter(kind="gift", reference=str(donation.pk)).count() == 1
    assert JournalEntry.objects.filter(kind="refund").count() == 1
    assert project_sums([project.pk])[project.pk].raised == 0
    call_command("ledger_check")


def test_expiry_asks_the_provider_first_and_records_a_success(project):
    from jusha.giving.services import donations_expire_stale
    from jusha.payments.models import SandboxCharge

    donation = pending_gift(project)
    SandboxCharge.objects.filter(intent_id=donation.intent_id).update(status="succeeded")  # notification lost
    Donation.objects.filter(pk=donation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    donations_expire_stale()
    donation.refresh_from_db()
    assert donation.status == "paid"
    assert project_sums([project.pk])[project.pk].raised == 5000


def test_gift_for_project_that_filled_meanwhile_kept_as_overflow_by_rule(client):
    project = make_project(goal=10_000, overflow_rule="keep")
    late = pending_gift(project, 3000)
    give(project, 10_000)
    body, header = notification(late)
    assert post_notify(client, body, header).status_code == 200
    late.refresh_from_db()
    assert late.status == "paid" and late.overflow is True
    assert project_sums([project.pk])[project.pk].raised == 13_000
    project.refresh_from_db()
    assert project.status == "funded"
    call_command("ledger_check")


def test_sandbox_complete_unknown_and_bad_result(client, project):
    assert complete(client, uuid.uuid4()).status_code == 404
    donation = pending_gift(project)
    response = complete(client, donation.pk, "maybe")
    assert response.status_code == 422
    assert complete(client, donation.pk, "succeeded").status_code == 200
    again = complete(client, donation.pk, "failed")
    assert again.status_code == 409 and again.json()["code"] == "payment_already_completed"
    assert JournalEntry.objects.count() == 1


def test_receipt_email_sent_with_link(client, project, mailoutbox):
    donation = give(project, 5000, email="guest@example.org")
    assert len(mailoutbox) == 1
    assert donation.receipt_number in mailoutbox[0].body
    link = next(line for line in mailoutbox[0].body.splitlines() if "/donations/" in line).split(": ", 1)[1]
    path = link.split("127.0.0.1:8000", 1)[1]
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert donation.receipt_number.encode() in page.content


def test_receipt_email_is_plain_text_with_the_title_as_written(mailoutbox):
    """The receipt is a plain-text email: markup in a title is text there (not escaped into
    &lt;…&gt;, not HTML), and a newline in the title does not break the subject header."""
    project = make_project(title='Warm\npacks <script>alert(1)</script> & "Co" =1+1')
    donation = give(project, 5000, email="guest@example.org")
    (message,) = mailoutbox
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    assert 'packs <script>alert(1)</script> & "Co" =1+1' in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body and "&quot;" not in message.body
    assert "\n" not in message.subject and "\r" not in message.subject
    assert 'Warm packs <script>alert(1)</script> & "Co" =1+1' in message.subject
    assert donation.receipt_number in message.subject


def test_markup_typed_as_text_stays_text_in_json_and_pages(client, project):
    """Names and messages are stored as the text they show (`&lt;script&gt;` typed in is kept
    as `<script>`): JSON carries it as a string and pages escape it."""
    typed = {"name": "&lt;script&gt;alert(1)&lt;/script&gt; & \"Co\"", "message": "<b>hi</b> &amp; bye &lt;img src=x onerror=alert(1)&gt;"}
    response = create(client, project.slug, {"amount": 5000, "currency": "CNY", "email": "g@example.org", **typed})
    assert response.status_code == 201, response.content
    body = response.json()
    complete(client, body["id"])
    stored = Donation.objects.get(pk=body["id"])
    assert stored.name == '<script>alert(1)</script> & "Co"'
    assert stored.message == "hi & bye <img src=x onerror=alert(1)>"
    detail = client.get(f"/api/v1/donations/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert detail["Content-Type"].startswith("application/json") and detail["X-Content-Type-Options"] == "nosniff"
    assert detail.json()["name"] == stored.name and detail.json()["message"] == stored.message
    assert detail.json()["donor_name"] == stored.name
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_the_create_answer_is_built_and_stored_once_in_few_statements(client, project, django_assert_max_num_queries):
    from jusha.core.models import IdempotencyRecord

    create(client, project.slug, {"amount": 100})  # warm: this process's caches
    # The claim, the project with its totals, the sandbox's charge; then in one transaction
    # the gift, its gift context and the stored answer (with the savepoint's two here).
    with django_assert_max_num_queries(8):
        response = create(client, project.slug, {"amount": 100}, key="once")
    assert response.status_code == 201
    record = IdempotencyRecord.objects.get(key="once")
    assert record.state == IdempotencyRecord.DONE and record.status_code == 201
    assert record.body == response.json()  # the answer returned is the one stored (one receipt ticket)
