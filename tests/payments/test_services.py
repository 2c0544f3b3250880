"""Receiving a provider's notification (`payments.services`): only a genuine, fresh,
signed event is recorded, exactly once; anything else is refused with nothing written, so
the provider retries. (Calls go through tests/gifts.py.)"""

import json
import time

import pytest

from jusha.core.errors import BadRequest, Invalid, NotFound
from jusha.payments.models import PaymentEvent
from tests.gifts import open_gift, receive, signed_event, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(project):
    return open_gift(project, 5000)


def tampered(donation):
    body, header = signed_event(donation)
    return body.replace(b'"amount": 5000', b'"amount": 9000'), header


CASES = {
    "missing": lambda d: (signed_event(d)[0], None),
    "empty": lambda d: (signed_event(d)[0], ""),
    "malformed": lambda d: (signed_event(d)[0], "t=now,v1=zz"),
    "wrong secret": lambda d: signed_event(d, secret="not-the-secret"),
    "stale": lambda d: signed_event(d, timestamp=int(time.time()) - 301),
    "from the future": lambda d: signed_event(d, timestamp=int(time.time()) + 400),
    "tampered body": tampered,
    "another gift's signature": lambda d: (signed_event(d, fen=1)[0], signed_event(d)[1]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_missing_or_stale_signature_is_refused_and_nothing_is_recorded(pending, case):
    body, header = CASES[case](pending)
    before = snapshot()
    with pytest.raises(BadRequest) as refused:
        receive(body, header)
    assert refused.value.status == 400 and refused.value.code.startswith("signature")
    assert snapshot() == before


def test_a_signed_body_that_is_no_event_is_refused(pending):
    from django.conf import settings

    from jusha.payments import signing

    body = json.dumps({"id": "evt_1", "type": "payment.succeeded"}).encode()  # no data
    before = snapshot()
    with pytest.raises(BadRequest) as refused:
        receive(body, signing.sign(settings.JUSHA_SANDBOX_SECRET, body, int(time.time())))
    assert refused.value.code == "event_malformed"
    assert snapshot() == before


def test_a_genuine_success_is_recorded_and_its_replays_are_acknowledged_without_change(pending):
    body, header = signed_event(pending)
    status, answer = receive(body, header)
    assert status == 200
    assert answer == {"received": True, "duplicate": False, "donation": str(pending.pk), "status": "paid"}
    assert PaymentEvent.objects.get().event_id == f"evt_{pending.intent_id}_succeeded"
    after = snapshot()
    for _ in range(3):
        assert receive(body, header) == (200, {"received": True, "duplicate": True})
    body2, header2 = signed_event(pending, event_id="evt_resent")  # the same payment under a new event id
    assert receive(body2, header2)[0] == 200
    now = snapshot()
    assert now.pop("events") == after.pop("events") + 1  # the new event is kept, as a record of what came
    assert now == after  # and is still the one gift, journalled once


def test_a_failed_payment_is_recorded_and_moves_no_money(pending):
    status, answer = receive(*signed_event(pending, status="failed"))
    assert (status, answer["status"]) == (200, "failed")
    now = snapshot()
    assert (now["entries"], now["facts"], now["events"]) == (0, 0, 1)


@pytest.mark.parametrize(
    "make,error,code",
    [
        (lambda d: signed_event(d, fen=4999), Invalid, "amount_mismatch"),
        (lambda d: signed_event(d, status="refunded"), Invalid, "event_type_unknown"),
    ],
    ids=["amount mismatch", "unknown event type"],
)
def test_a_genuine_event_that_cannot_apply_records_nothing_so_it_can_be_retried(pending, make, error, code):
    body, header = make(pending)
    before = snapshot()
    with pytest.raises(error) as refused:
        receive(body, header)
    assert refused.value.code == code
    assert snapshot() == before  # not even the event: it was not handled


def test_an_event_for_an_unknown_payment_is_refused(pending):
    pending.intent_id = "sbx_unknown"
    before = snapshot()
    with pytest.raises(NotFound):
        receive(*signed_event(pending))
    assert snapshot() == before
