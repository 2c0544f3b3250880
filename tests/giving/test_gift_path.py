"""The gift path's shape as a user relies on it: one opening service, the provider called
outside our transactions, refunds recorded before the provider is asked and settled once,
and higher apps told in an explicit order."""

import json
import uuid

import pytest
from django.db import connection

from jusha.core import events
from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.giving import services
from jusha.giving.models import Donation, Refund
from jusha.ledger.models import JournalEntry
from jusha.matching.models import GiftContext
from jusha.payments.models import SandboxCharge, SandboxRefund
from jusha.payments.sandbox import SandboxProvider
from jusha.social.models import Attribution
from tests.factories import give, make_member, make_project

pytestmark = pytest.mark.django_db


def names(event, phase):
    return [s.name for s in event.subscribers(phase)]


def test_the_order_of_every_gift_subscriber_is_explicit():
    """docs/architecture.md lists the same order: what is recorded with the gift first, then
    what may read it after commit."""
    assert names(events.gift_opened, events.IN_TRANSACTION) == [
        "jusha.matching.services.on_gift_opened",  # the client's hashed network and device, for anti-gaming
        "jusha.social.services.on_gift_opened",  # the share link the gift came through
        "jusha.community.services.on_gift_opened",  # the team it came through
        "jusha.sponsorship.services.on_gift_opened",  # a sponsorship's month: recorded with its gift
    ]
    assert names(events.gift_paid, events.IN_TRANSACTION) == [
        "jusha.social.services.on_gift_changed",  # the relay counts the gift
        "jusha.matching.services.on_gift_paid",  # then its match (never for overflow)
        "jusha.community.services.on_gift_changed",  # the team's total
        "jusha.community.services.on_gift_paid_feed",  # a member's gift in friends' feeds
        "jusha.sponsorship.services.on_gift_paid",  # a sponsorship's month: earmarked to its own account
        "jusha.alliance.subscribers.on_gift_paid",  # webhook deliveries, committed with the gift
    ]
    assert names(events.gift_paid, events.AFTER_COMMIT) == [
        "jusha.projects.tasks.on_gift_paid",  # funded once the goal is reached
        "jusha.fulfilment.tasks.on_gift_paid",  # delivery batches the money now covers
    ]
    assert names(events.gift_refunded, events.IN_TRANSACTION) == [
        "jusha.social.services.on_gift_changed",
        "jusha.matching.services.on_gift_refunded",  # the match goes back to its pool in proportion
        "jusha.community.services.on_gift_changed",
        "jusha.sponsorship.refunds.on_gift_refunded",  # the sponsorship's account gives up what went back
        "jusha.alliance.subscribers.on_gift_refunded",  # webhook deliveries, committed with the refund
    ]
    assert names(events.gift_fee_changed, events.IN_TRANSACTION) == [
        "jusha.sponsorship.refunds.on_gift_fee_changed",  # a month bears what its provider still keeps
    ]
    assert names(events.project_cancelled, events.IN_TRANSACTION) == [
        "jusha.fulfilment.services.batches_cancel_for_project",  # batches not yet purchased give their money back
    ]
    assert names(events.project_cancelled, events.AFTER_COMMIT) == [
        "jusha.giving.tasks.refund_all_gifts_of_cancelled",  # then every gift is refunded
    ]


def test_an_event_refuses_two_subscribers_at_one_place_and_runs_after_commit_ones_robustly(django_capture_on_commit_callbacks):
    event, seen = events.Event("test"), []
    event.subscribe(lambda p: seen.append(("b", p)), order=20)
    event.subscribe(lambda p: seen.append(("a", p)), order=10)
    with pytest.raises(ValueError):
        event.subscribe(lambda p: None, order=10)

    def broken(payload):
        raise RuntimeError("a subscriber's bug")

    event.subscribe(broken, order=10, phase=events.AFTER_COMMIT)
    event.subscribe(lambda p: seen.append(("after", p)), order=20, phase=events.AFTER_COMMIT)
    with django_capture_on_commit_callbacks(execute=True):
        event.announce(1)
    assert seen == [("a", 1), ("b", 1), ("after", 1)]  # the broken one did not stop the one after it


def test_opening_a_gift_records_its_context_and_share_link_with_it(project):
    from tests.social.conftest import guest, share

    link = share(project, guest())
    client = ClientContext(network="203.0.113.9", device="d" * 24, user_agent="phone")
    donation, token = services.donation_open(project=project, amount=Money(5000, "CNY"), client=client, ref=link.code)
    context = GiftContext.objects.get(donation=donation)
    assert context.network_hash and context.device_hash and "203.0.113.9" not in context.network_hash
    assert Attribution.objects.get(donation=donation).link == link
    assert token and donation.status == "pending"


def test_a_failure_while_opening_leaves_no_gift(project, monkeypatch):
    from jusha.social import services as social

    def broken(opened):
        raise RuntimeError("boom")

    monkeypatch.setattr(events.gift_opened, "_subscribers", [
        events.Subscriber(s.order, s.phase, broken if s.handler is social.on_gift_opened else s.handler)
        for s in events.gift_opened.subscribers()
    ])
    with pytest.raises(RuntimeError):
        services.donation_open(project=project, amount=Money(5000, "CNY"), client=ClientContext())
    assert not Donation.objects.exists() and not GiftContext.objects.exists()


def test_services_take_money_not_bare_numbers(project):
    with pytest.raises(TypeError):
        services.donation_open(project=project, amount=5000, client=ClientContext())
    assert not Donation.objects.exists()


def test_the_campaign_path_keeps_the_share_link_too(client):
    from tests.factories import make_campaign
    from tests.social.conftest import guest, share

    project = make_project()
    campaign = make_campaign(projects=[project])
    link = share(project, guest())
    response = client.post(
        f"/api/v1/campaigns/{campaign.slug}/donations",
        json.dumps({"amount": 5000, "currency": "CNY", "project": project.slug, "ref": link.code}),
        content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 201, response.content
    assert Attribution.objects.get(donation_id=response.json()["id"]).link == link


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_never_called_inside_a_transaction_of_ours(client, monkeypatch):
    """Opening a gift and refunding it through the API: each provider call sees no open
    transaction (a rollback can never leave the provider's side unrecorded)."""
    calls = []
    create_intent, refund = SandboxProvider.create_intent, SandboxProvider.refund

    def spy(original, name):
        def call(self, **kwargs):
            calls.append((name, connection.in_atomic_block))
            return original(self, **kwargs)
        return call

    monkeypatch.setattr(SandboxProvider, "create_intent", spy(create_intent, "create_intent"))
    monkeypatch.setattr(SandboxProvider, "refund", spy(refund, "refund"))
    project = make_project()
    finance = make_member(project.organisation, "finance")
    opened = client.post(f"/api/v1/projects/{project.slug}/donations", json.dumps({"amount": 5000, "currency": "CNY"}),
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert opened.status_code == 201
    donation_id = opened.json()["id"]
    assert client.post(f"/api/v1/sandbox/payments/{donation_id}/complete", json.dumps({"result": "succeeded"}),
                       content_type="application/json").status_code == 200
    client.force_login(finance)
    refunded = client.post(f"/api/v1/donations/{donation_id}/refunds", json.dumps({"amount": 2000, "reason": "asked"}),
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", HTTP_X_CSRFTOKEN="x")
    assert refunded.status_code == 201, refunded.content
    assert refunded.json()["status"] == "succeeded"
    assert calls == [("create_intent", False), ("refund", False)]
    replay = client.post(f"/api/v1/donations/{donation_id}/refunds", json.dumps({"amount": 2000, "reason": "asked"}),
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", HTTP_X_CSRFTOKEN="x")
    assert replay.json() == refunded.json() and Refund.objects.count() == 1


def test_a_refund_the_provider_did_not_get_stays_pending_and_is_settled_once(project, monkeypatch):
    gift = give(project, 5000)
    finance = make_member(project.organisation, "finance")
    real = SandboxProvider.refund

    def unreachable(self, **kwargs):
        raise ConnectionError("provider down")

    monkeypatch.setattr(SandboxProvider, "refund", unreachable)
    refund = services.donation_refund(donation=gift, amount=Money(2000, "CNY"), reason="asked", actor=finance)
    # Recorded at once: the journal, the gift's status and what is left to refund all know it.
    assert refund.status == Refund.Status.PENDING
    assert JournalEntry.objects.filter(kind="refund").count() == 1
    gift.refresh_from_db()
    assert gift.status == "partially_refunded" and gift.refunded_amount == 2000
    assert SandboxCharge.objects.get(intent_id=gift.intent_id).refunded == 0

    monkeypatch.setattr(SandboxProvider, "refund", real)
    Refund.objects.filter(pk=refund.pk).update(created_at=refund.created_at.replace(year=refund.created_at.year - 1))
    assert services.refunds_settle_pending() == 1
    assert services.refunds_settle_pending() == 0  # nothing is left to settle
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_refund_id.startswith("sbr_")
    # Asking the provider again with the same reference refunds nothing more.
    again = SandboxProvider().refund(intent_id=gift.intent_id, amount=2000, reason="asked", reference=str(refund.pk))
    assert again == refund.provider_refund_id
    assert SandboxCharge.objects.get(intent_id=gift.intent_id).refunded == 2000
    assert SandboxRefund.objects.count() == 1


def test_a_refund_the_provider_refuses_is_marked_failed_for_the_organisation_to_settle(project, monkeypatch):
    from jusha.payments.providers import ProviderError

    gift = give(project, 5000)
    finance = make_member(project.organisation, "finance")

    def refuses(self, **kwargs):
        raise ProviderError("closed account", code="provider_not_refundable")

    monkeypatch.setattr(SandboxProvider, "refund", refuses)
    refund = services.donation_refund(donation=gift, amount=Money(5000, "CNY"), reason="asked", actor=finance)
    assert refund.status == Refund.Status.FAILED and refund.settled_at is not None
    assert JournalEntry.objects.filter(kind="refund").count() == 1  # the donor is still owed it: it stays on the books
