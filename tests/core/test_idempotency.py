"""Idempotency keys (`core.idempotency`): the work runs once per caller and key; a replay
returns the first answer; the same key with another body is 422; a request still running
is 409; work that failed without an answer frees its key for a retry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.core import idempotency
from jusha.core.errors import BadRequest, Conflict, Invalid, RateLimited
from jusha.core.models import AuditLog, IdempotencyRecord
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PRINT = idempotency.request_fingerprint("POST", "/api/v1/projects/p/donations", {"amount": 100})
OTHER = idempotency.request_fingerprint("POST", "/api/v1/projects/p/donations", {"amount": 200})


class Work:
    """Money-moving work: writes a row, answers 201, and counts its runs."""

    def __init__(self, answer=(201, {"id": "gift-1"}), error=None):
        self.runs, self.answer, self.error = 0, answer, error

    def __call__(self):
        self.runs += 1
        AuditLog.objects.create(action=f"work.{self.runs}")
        if self.error is not None:
            raise self.error
        return self.answer


def run(work, *, key="k1", fingerprint=PRINT, scope="anon"):
    return idempotency.run_idempotent(scope=scope, key=key, fingerprint=fingerprint, work=work)


def test_a_replay_returns_the_original_answer_without_running_again():
    work = Work()
    assert run(work) == (201, {"id": "gift-1"}, False)
    work.answer = (201, {"id": "gift-2"})  # what a second run would say
    for _ in range(3):
        assert run(work) == (201, {"id": "gift-1"}, True)
    assert work.runs == 1 and AuditLog.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_runs_nothing():
    work = Work()
    run(work)
    with pytest.raises(Invalid) as refused:
        run(work, fingerprint=OTHER)
    assert (refused.value.status, refused.value.code) == (422, "idempotency_key_reused")
    assert work.runs == 1 and run(work)[2] is True  # the first answer is still the answer


def test_a_request_still_in_flight_is_409_and_runs_nothing():
    IdempotencyRecord.objects.create(scope="anon", key="busy", fingerprint=PRINT)  # claimed, not done
    work = Work()
    with pytest.raises(Conflict) as refused:
        run(work, key="busy")
    assert (refused.value.status, refused.value.code) == (409, "request_in_flight")
    assert work.runs == 0 and AuditLog.objects.count() == 0


def test_a_claim_left_by_a_crashed_process_is_taken_over_after_the_grace_period():
    record = IdempotencyRecord.objects.create(scope="anon", key="crashed", fingerprint=PRINT)
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        updated_at=timezone.now() - idempotency.STALE_AFTER - timedelta(seconds=1))
    work = Work()
    assert run(work, key="crashed") == (201, {"id": "gift-1"}, False)
    assert run(work, key="crashed")[2] is True and work.runs == 1


def test_keys_belong_to_their_caller():
    first, second = make_user(), make_user()
    scopes = {idempotency.caller_scope(first), idempotency.caller_scope(second), idempotency.caller_scope(None)}
    assert len(scopes) == 3 and "anon" in scopes
    work = Work()
    for scope in sorted(scopes):
        assert run(work, scope=scope)[2] is False
    assert work.runs == 3


def test_a_refusal_is_kept_as_the_answer_and_its_writes_are_undone():
    refusal = Conflict("This project is not raising money.", code="not_fundraising", extra={"suggestions": ["x"]})
    work = Work(error=refusal)
    with pytest.raises(Conflict):
        run(work)
    assert AuditLog.objects.count() == 0  # the work's writes rolled back
    with pytest.raises(idempotency.ReplayedError) as replayed:  # refused again, the same way, without running
        run(work)
    assert replayed.value.status == 409
    assert {"detail": str(replayed.value.detail), "code": replayed.value.code, **replayed.value.extra} == {
        "detail": "This project is not raising money.", "code": "not_fundraising", "suggestions": ["x"]}
    assert work.runs == 1


@pytest.mark.parametrize("error", [RuntimeError("database went away"), RateLimited("slow down", retry_after=30)])
def test_work_that_failed_without_an_answer_frees_its_key_for_a_retry(error):
    work = Work(error=error)
    with pytest.raises(type(error)):
        run(work)
    assert AuditLog.objects.count() == 0 and not IdempotencyRecord.objects.exists()
    work.error = None
    assert run(work) == (201, {"id": "gift-1"}, False) and work.runs == 2


@pytest.mark.parametrize(
    "headers,code",
    [
        ({}, "idempotency_key_missing"),
        ({"Idempotency-Key": "  "}, "idempotency_key_missing"),
        ({"Idempotency-Key": "k" * 256}, "idempotency_key_invalid"),
        ({"Idempotency-Key": "a\nb"}, "idempotency_key_invalid"),
    ],
)
def test_a_missing_or_unusable_key_is_400(headers, code):
    with pytest.raises(BadRequest) as refused:
        idempotency.require_key(headers)
    assert (refused.value.status, refused.value.code) == (400, code)


def test_a_key_is_read_trimmed_and_requests_are_told_apart_by_what_they_ask():
    assert idempotency.require_key({"Idempotency-Key": " 5f0c-key "}) == "5f0c-key"
    fingerprint = idempotency.request_fingerprint
    assert fingerprint("POST", "/a", {"x": 1, "y": 2}) == fingerprint("POST", "/a", {"y": 2, "x": 1})
    assert len({fingerprint("POST", "/a", {"x": 1}), fingerprint("POST", "/b", {"x": 1}),
                fingerprint("PUT", "/a", {"x": 1}), fingerprint("POST", "/a", {"x": 2})}) == 4


def test_keys_are_kept_until_purged_after_their_time():
    run(Work(), key="old")
    run(Work(), key="new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency.purge_expired(older_than=timedelta(hours=24)) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_row_insert_saves_a_new_row_as_the_orm_would():
    from jusha.core.sql import row_insert

    user = make_user()
    entry = AuditLog(actor=user, action="row.insert", target_type="t", data={"a": [1, "二"]})
    row_insert(entry)  # an auto-incremented id, read back; auto_now_add set on the instance
    assert entry.pk is not None and entry._state.adding is False
    stored = AuditLog.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.action, stored.target_type, stored.data) == (user.pk, "row.insert", "t", {"a": [1, "二"]})
    assert stored.created_at == entry.created_at
    with pytest.raises(ValueError):
        row_insert(entry)
