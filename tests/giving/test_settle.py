"""The batched settler on its own (giving.settle; docs/peak.md "Acceptance and settlement"):
the test settings settle each gift inline, these tests turn that off. A notification only
accepts the gift (paid, journalled, in raised); the settler later writes its match and log
fact for many gifts in one transaction, exactly once, whatever crashes or races with it."""

import threading
import time

import pytest
from django.db import connection, transaction

from jusha.core import events
from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.giving.services import donation_open, donations_refund_all
from jusha.giving.settle import gifts_settle, gifts_settle_due, unsettled
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.matching.models import Match, Pool, PoolChunk
from jusha.matching.services import pool_transition
from jusha.payments.sandbox import SandboxProvider
from jusha.projects.selectors import project_sums
from jusha.projects.services import project_transition
from jusha.transparency.models import Fact
from tests.concurrency import require_postgres, run_at_once
from tests.factories import make_campaign, make_member, make_pool, make_project
from tests.gifts import refund


@pytest.fixture(autouse=True)
def _batched(settings):
    """Settle in batches, never kicked from a notification's commit: each test runs the
    settler itself (ImmediateBackend would otherwise run the kick at once)."""
    settings.JUSHA_SETTLE = {**settings.JUSHA_SETTLE, "inline": False, "kick_seconds": 1e12}


def accepted(project, amount=3_000, count=1) -> list[Donation]:
    """Gifts paid through the sandbox's signed notification, not yet settled."""
    gifts = []
    for _ in range(count):
        donation, _token = donation_open(project=project, amount=Money(amount, project.currency), client=ClientContext())
        SandboxProvider().complete(donation.intent_id, "succeeded")
        donation.refresh_from_db()
        gifts.append(donation)
    return gifts


def once_each(gifts) -> None:
    """Every gift settled, with one gift fact and at most one match and match entry."""
    ids = [str(g.pk) for g in gifts]
    assert not unsettled().filter(pk__in=[g.pk for g in gifts]).exists()
    facts = list(Fact.objects.filter(kind="gift", ref__in=ids).values_list("ref", flat=True))
    assert sorted(facts) == sorted(ids)
    matches = list(Match.objects.filter(donation__in=[g.pk for g in gifts]).values_list("donation_id", flat=True))
    assert len(matches) == len(set(matches))
    entries = list(JournalEntry.objects.filter(kind="match", reference__in=ids).values_list("reference", flat=True))
    assert len(entries) == len(set(entries))
    assert ledger_problems() == []


@pytest.fixture
def matched_project():
    project = make_project(goal=10_000_000)
    pool = make_pool(campaign=make_campaign(projects=[project]), budget=100_000, gift_cap=3_000)
    return project, pool


@pytest.mark.django_db
def test_a_notification_accepts_and_the_settler_settles_a_batch_once(matched_project):
    project, pool = matched_project
    gifts = accepted(project, count=5)
    # Accepted: paid, journalled, in raised at once; matching and the log wait for the settler.
    assert all(g.status == "paid" and g.settling for g in gifts)
    assert project_sums([project.pk])[project.pk].raised == 15_000
    assert JournalEntry.objects.filter(kind="gift").count() == 5
    assert not Match.objects.exists() and not Fact.objects.filter(kind="gift").exists()
    assert ledger_problems() == []

    assert gifts_settle() == 5
    once_each(gifts)
    assert Match.objects.filter(pool=pool).count() == 5
    assert project_sums([project.pk])[project.pk].matched == 15_000
    assert PoolChunk.objects.filter(pool=pool).count() == 2  # the batch draws on one chunk until it is full (4 x 3,000)
    assert gifts_settle() == 0  # nothing twice
    once_each(gifts)


@pytest.mark.django_db
def test_the_answer_and_the_receipt_say_the_match_is_pending_until_settled(matched_project, client):
    from jusha.giving.schemas import donation_out

    project, _pool = matched_project
    [gift] = accepted(project)
    answer = donation_out(gift, private=False)
    assert (answer["settling"], answer["match_status"], answer["status"]) == (True, "pending", "paid")
    assert gift.settling
    gifts_settle()
    gift.refresh_from_db()
    answer = donation_out(gift, private=False)
    assert (answer["settling"], answer["matched"]) == (False, 3_000)
    assert not gift.settling


@pytest.mark.django_db
def test_the_receipt_page_says_matching_is_pending_in_each_language(matched_project, client):
    project, _pool = matched_project
    [gift] = accepted(project)
    page = client.get(f"/donations/{gift.pk}/").content.decode()
    assert 'data-testid="donation-settling"' in page and "Matching pending" in page
    chinese = client.get(f"/donations/{gift.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "配捐确认中" in chinese
    gifts_settle()
    assert 'data-testid="donation-settling"' not in client.get(f"/donations/{gift.pk}/").content.decode()


@pytest.mark.django_db
def test_a_crashed_batch_leaves_its_gifts_for_the_next(matched_project):
    project, _pool = matched_project
    gifts = accepted(project, count=3)

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        gifts_settle()
        raise Crash  # the process dies before the batch commits
    assert unsettled().count() == 3 and not Match.objects.exists()
    assert gifts_settle_due() == 3
    once_each(gifts)


@pytest.mark.django_db
def test_refunding_a_gift_not_yet_settled_settles_it_first(matched_project):
    project, pool = matched_project
    [gift] = accepted(project)
    refund(gift, 3_000, actor=make_member(project.organisation, "finance"))
    gift.refresh_from_db()
    assert gift.status == "refunded" and not gift.settling
    match = Match.objects.get(donation=gift)
    assert match.returned == match.amount == 3_000  # matched, then returned with the refund
    assert gifts_settle() == 0
    once_each([gift])


@pytest.mark.django_db
def test_a_duplicate_notification_before_or_after_settlement_changes_nothing(matched_project):
    project, _pool = matched_project
    [gift] = accepted(project)
    SandboxProvider().complete(gift.intent_id, "succeeded")  # again, before the batch
    assert JournalEntry.objects.filter(kind="gift").count() == 1
    assert gifts_settle() == 1
    SandboxProvider().complete(gift.intent_id, "succeeded")  # and after it
    assert gifts_settle() == 0
    once_each([gift])
    assert Match.objects.count() == 1


@pytest.mark.django_db
def test_a_pool_closed_before_the_batch_matches_none_of_it(matched_project):
    project, pool = matched_project
    gifts = accepted(project, count=2)
    pool_transition(pool=pool, target="closed", actor=None)
    assert gifts_settle() == 2
    once_each(gifts)
    assert not Match.objects.exists()
    assert Pool.objects.get(pk=pool.pk).allotted == 0


@pytest.mark.django_db
def test_a_pool_closing_mid_batch_matches_only_the_gifts_before(matched_project):
    project, pool = matched_project
    gifts = accepted(project, count=4)
    seen = []

    def close_after_two(paid):
        seen.append(paid.donation.pk)
        if len(seen) == 2:
            pool_transition(pool=pool, target="closed", actor=None)

    events.gift_paid.subscribe(close_after_two, order=21)
    try:
        assert gifts_settle() == 4
    finally:
        events.gift_paid._subscribers = [s for s in events.gift_paid._subscribers if s.handler is not close_after_two]
    once_each(gifts)
    assert Match.objects.count() == 2  # the first two, drawn before it closed; none after
    pool = Pool.objects.get(pk=pool.pk)
    assert pool.allotted == 6_000 and pool.status == "closed"


@pytest.mark.django_db
def test_a_gift_to_a_project_cancelled_before_its_batch_is_settled_and_refunded_once(matched_project):
    project, _pool = matched_project
    gifts = accepted(project, count=2)
    project_transition(project=project, target="cancelled", actor=None, reason="The school closed.")
    assert gifts_settle() == 2
    once_each(gifts)
    donations_refund_all(project=project, reason="The project was cancelled.")
    assert set(Donation.objects.filter(pk__in=[g.pk for g in gifts]).values_list("status", flat=True)) == {"refunded"}
    assert all(m.returned == m.amount for m in Match.objects.all())
    assert ledger_problems() == []


# --- on PostgreSQL: settlers, refunds and notifications at the same moment ------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_settlers_at_once_settle_each_gift_once(matched_project):
    require_postgres()
    project, pool = matched_project
    gifts = accepted(project, count=24)
    barrier, counts = threading.Barrier(2), []

    def settler():
        barrier.wait()
        total = 0
        while count := gifts_settle(limit=4):
            total += count
        counts.append(total)

    assert run_at_once([settler, settler])[1] == []
    assert sum(counts) == 24
    once_each(gifts)
    assert Match.objects.filter(pool=pool).count() == 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_settler_killed_mid_batch_is_resumed_by_the_next(matched_project):
    """The settler's database session dies mid-batch (its backend terminated, as when its
    process is SIGKILLed): PostgreSQL rolls the batch back; the next settler settles all."""
    require_postgres()
    project, _pool = matched_project
    gifts = accepted(project, count=3)
    pid = []

    def stall(paid):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid.append(cursor.fetchone()[0])
            cursor.execute("SELECT pg_sleep(30)")

    def killer():
        deadline = time.monotonic() + 20
        while not pid and time.monotonic() < deadline:
            time.sleep(0.05)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid[0]])

    died = []

    def doomed_settler():
        try:
            gifts_settle()
        except Exception as exc:  # noqa: BLE001 - the kill
            died.append(exc)

    events.gift_paid.subscribe(stall, order=22)
    try:
        assert run_at_once([doomed_settler, killer])[1] == []
    finally:
        events.gift_paid._subscribers = [s for s in events.gift_paid._subscribers if s.handler is not stall]
    assert died and unsettled().count() == 3 and not Match.objects.exists()
    assert gifts_settle() == 3
    once_each(gifts)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refund_racing_its_gifts_settlement_returns_the_one_match(matched_project):
    require_postgres()
    project, _pool = matched_project
    gifts = accepted(project, count=6)
    finance = make_member(project.organisation, "finance")
    barrier = threading.Barrier(2)

    def settler():
        barrier.wait()
        while gifts_settle(limit=2):
            pass

    def refunder():
        barrier.wait()
        for gift in gifts:
            refund(gift, 3_000, actor=finance)

    assert run_at_once([settler, refunder])[1] == []
    once_each(gifts)
    assert Match.objects.count() == 6
    assert all(m.returned == m.amount == 3_000 for m in Match.objects.all())
    assert set(Donation.objects.values_list("status", flat=True)) == {"refunded"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_notification_during_a_batch_waits_and_changes_nothing(matched_project):
    require_postgres()
    project, _pool = matched_project
    gifts = accepted(project, count=8)
    barrier = threading.Barrier(2)

    def settler():
        barrier.wait()
        while gifts_settle(limit=3):
            pass

    def duplicates():
        barrier.wait()
        for gift in gifts:
            SandboxProvider().complete(gift.intent_id, "succeeded")

    assert run_at_once([settler, duplicates])[1] == []
    once_each(gifts)
    assert JournalEntry.objects.filter(kind="gift").count() == 8
    assert Match.objects.count() == 8


@pytest.mark.django_db
def test_the_complete_answer_while_settling_is_what_a_fresh_read_says(matched_project, client):
    """The sandbox's complete answers with the gift its acceptance wrote (no second read):
    the same body as reading the gift afresh, before and after its settlement, and on a
    second press of the same button (the replay reads it afresh)."""
    import json

    project, _pool = matched_project
    donation, _token = donation_open(project=project, amount=Money(3_000, project.currency), client=ClientContext())

    def press():
        answer = client.post(f"/api/v1/sandbox/payments/{donation.pk}/complete", json.dumps({"result": "succeeded"}),
                             content_type="application/json")
        assert answer.status_code == 200, answer.content
        return answer.json()

    first = press()
    assert first["notification"]["body"]["duplicate"] is False
    assert first["donation"] == client.get(f"/api/v1/donations/{donation.pk}").json()
    assert (first["donation"]["status"], first["donation"]["settling"], first["donation"]["match_status"]) == (
        "paid", True, "pending")
    again = press()
    assert again["notification"]["body"]["duplicate"] is True and again["donation"] == first["donation"]
    gifts_settle()
    settled = press()
    assert settled["donation"] == client.get(f"/api/v1/donations/{donation.pk}").json()
    assert (settled["donation"]["settling"], settled["donation"]["matched"]) == (False, 3_000)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notification_for_a_gift_another_transaction_holds_waits_and_is_accepted_once(matched_project):
    """The acceptance reads the gift, its project and totals in one statement that skips a
    row someone holds; then it waits for the lock the ORM's way and reads the totals after
    it (giving.sql.donation_locked): accepted once, nothing lost."""
    require_postgres()
    project, _pool = matched_project
    donation, _token = donation_open(project=project, amount=Money(3_000, project.currency), client=ClientContext())
    holding, released = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            list(Donation.objects.select_for_update().filter(pk=donation.pk))
            holding.set()
            time.sleep(0.3)
            released.set()

    def payer():
        holding.wait(5)
        status, answer = SandboxProvider().complete(donation.intent_id, "succeeded")
        assert released.is_set()  # it waited for the holder's commit
        return status, answer

    results, errors = run_at_once([holder, payer])
    assert errors == []
    [(status, answer)] = [r for r in results if r is not None]
    assert status == 200 and answer["status"] == "paid" and answer["duplicate"] is False
    donation.refresh_from_db()
    assert donation.status == "paid" and donation.receipt_number and donation.settling
    assert project_sums([project.pk])[project.pk].raised == 3_000
    assert JournalEntry.objects.filter(kind="gift", reference=str(donation.pk)).count() == 1
    gifts_settle()
    once_each([donation])


@pytest.mark.django_db
def test_a_batchs_after_commit_checks_read_its_projects_once_and_still_fill_them(monkeypatch, django_capture_on_commit_callbacks):
    """After a batch commits, "is the project full now?" and the delivery-batch check read
    the batch's projects' committed totals once for all of its gifts, not once per gift:
    those include every gift of the batch, so the project that the batch fills is still
    found full."""
    from jusha.fulfilment import selectors as fulfilment_selectors
    from jusha.projects import tasks as project_tasks

    full, other = make_project(goal=9_000), make_project(goal=10_000_000)
    gifts = accepted(full, count=3) + accepted(other, count=2)
    checked, due = [], []
    real_sums, real_due = project_tasks.project_sums, fulfilment_selectors.batches_due
    monkeypatch.setattr(project_tasks, "project_sums", lambda ids: checked.append(sorted(ids)) or real_sums(ids))
    monkeypatch.setattr(fulfilment_selectors, "batches_due", lambda ids: due.append(sorted(set(ids := list(ids)))) or real_due(ids))
    with django_capture_on_commit_callbacks(execute=True):
        assert gifts_settle() == 5
    assert checked == due == [sorted([full.pk, other.pk])]
    full.refresh_from_db()
    assert full.status == "funded"
    once_each(gifts)
    # Each gift settled on its own (a batch of one) runs the checks for its project.
    checked.clear()
    gifts = accepted(other, count=2)
    for gift in gifts:
        with django_capture_on_commit_callbacks(execute=True):
            assert gifts_settle(ids=[gift.pk]) == 1
    assert checked == [[other.pk], [other.pk]]


@pytest.mark.django_db
def test_only_after_commit_subscribers_take_many_payloads(django_capture_on_commit_callbacks):
    event, seen = events.Event("test"), []
    with pytest.raises(ValueError):
        event.subscribe(seen.append, order=1, phase=events.IN_TRANSACTION, many=True)
    event.subscribe(seen.append, order=1, phase=events.AFTER_COMMIT, many=True)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event.announce("alone")
            with events.batch():
                event.announce("a")
                event.announce("b")
    assert seen == [["alone"], ["a", "b"]]


@pytest.mark.django_db
def test_a_batchs_matches_are_written_at_once_with_their_facts_and_draws(matched_project):
    """The batch's matches are inserted together when it ends and its draws on the pool's
    chunk written as one increment: each match fact names its match, the chunks used equal
    the matches, and the pool's invariants hold (ledger_check)."""
    from jusha.transparency import leaves

    project, pool = matched_project
    gifts = accepted(project, count=6)
    assert gifts_settle() == 6
    once_each(gifts)
    matches = {str(m.pk): m for m in Match.objects.filter(donation__in=[g.pk for g in gifts])}
    assert len(matches) == 6
    facts = [leaves.parse(bytes(f.leaf)) for f in Fact.objects.filter(kind="match")]
    assert sorted(f["id"] for f in facts) == sorted(matches) == sorted(Fact.objects.filter(kind="match").values_list("ref", flat=True))
    for fact in facts:
        assert fact["donation"] == str(matches[fact["id"]].donation_id) and fact["amount"] == matches[fact["id"]].amount
    used = sum(PoolChunk.objects.filter(pool=pool).values_list("used", flat=True))
    assert used == sum(m.amount for m in matches.values()) == 6 * 3_000


@pytest.mark.django_db
def test_a_donors_daily_cap_holds_across_one_batch():
    """Matches not yet written when the batch ends still count against the donor's daily cap."""
    project = make_project(goal=10_000_000)
    pool = make_pool(campaign=make_campaign(projects=[project]), budget=100_000, donor_daily_cap=5_000)
    donor = make_member(make_project().organisation, "editor")
    gifts = []
    for _ in range(4):
        donation, _token = donation_open(project=project, amount=Money(2_000, project.currency), donor=donor,
                                         client=ClientContext())
        SandboxProvider().complete(donation.intent_id, "succeeded")
        gifts.append(donation)
    assert gifts_settle() == 4
    amounts = list(Match.objects.filter(pool=pool).order_by("donation__paid_at").values_list("amount", flat=True))
    assert sum(amounts) == 5_000 and amounts[:3] == [2_000, 2_000, 1_000]
    assert ledger_problems() == []
