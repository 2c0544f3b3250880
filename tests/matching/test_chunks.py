"""Pool money in chunks (jusha.matching.chunks), on any database: a process cuts a chunk,
draws later matches from it without touching the pool's row, and whatever a chunk still
holds goes back to the pool when it is idle or the pool closes. (test_peak.py runs the
same under real concurrency on PostgreSQL.)"""

import pytest
from django.test import TestCase
from django.utils import timezone

from jusha.ledger.checks import ledger_problems
from jusha.matching import chunks
from jusha.matching.models import Match, Pool, PoolChunk
from jusha.matching.selectors import pool_figures
from jusha.matching.services import pool_transition
from tests.factories import give, make_campaign, make_pool, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def hot():
    project = make_project(goal=10_000_000)
    pool = make_pool(campaign=make_campaign(projects=[project]), budget=100_000)
    return project, pool


def test_gifts_draw_on_one_chunk_and_the_pool_row_moves_once(hot, django_assert_max_num_queries):
    project, pool = hot
    give(project, 1000)
    chunk = PoolChunk.objects.get()
    assert (chunk.size, chunk.used, chunk.closed_at) == (max(4 * 1000, 100_000 // 32), 1000, None)
    assert Pool.objects.get(pk=pool.pk).allotted == chunk.size
    for _ in range(2):
        give(project, 1000)
    chunk.refresh_from_db()
    assert (PoolChunk.objects.count(), chunk.used) == (1, 3000)  # the same chunk, the pool row untouched
    assert Pool.objects.get(pk=pool.pk).allotted == chunk.size
    assert sorted(Match.objects.values_list("chunk_id", flat=True)) == [chunk.pk] * 3
    assert pool_figures(pool)["remaining"] == 100_000 - 3000  # what sits in a chunk is not spent
    assert ledger_problems() == []


def test_idle_chunks_go_back_to_the_pool(hot):
    project, pool = hot
    give(project, 1000)
    assert chunks.chunks_return_idle() == 0  # drawn on just now: not idle
    later = timezone.now() + timezone.timedelta(seconds=60)
    back = chunks.chunks_return_idle(now=later)
    chunk = PoolChunk.objects.get()
    assert back == chunk.size - 1000 and chunk.closed_at is not None
    assert Pool.objects.get(pk=pool.pk).allotted == 1000
    # The process still lists the closed chunk: its next draw finds it closed and cuts another.
    give(project, 2000)
    assert PoolChunk.objects.filter(closed_at__isnull=True).count() == 1
    assert Match.objects.get(amount=2000).chunk.closed_at is None
    assert ledger_problems() == []


def test_a_process_that_lost_its_chunk_list_leaves_nothing_behind(hot):
    project, pool = hot
    give(project, 1000)
    chunks.forget_all()  # as if the process had died
    give(project, 1000)
    assert PoolChunk.objects.count() == 2  # a new chunk; the first waits, idle, for the worker
    chunks.chunks_return_idle(idle_seconds=0)
    assert Pool.objects.get(pk=pool.pk).allotted == 2000
    figures = pool_figures(pool)
    assert (figures["spent"], figures["remaining"]) == (2000, 98_000)
    assert ledger_problems() == []


def test_the_last_fen_are_swept_back_from_idle_chunks(hot):
    project, pool = hot
    give(project, 60_000)  # room for four such matches is more than the pool: the chunk takes all 100,000
    assert PoolChunk.objects.get().size == 100_000
    chunks.forget_all()  # another process now, holding no chunk
    give(project, 30_000)  # nothing free: it sweeps the idle chunk back (40,000) and cuts that
    chunks.forget_all()
    last = give(project, 20_000)  # the same again with 10,000 left: a partial match of the last fen
    assert last.match.amount == 10_000
    assert pool_figures(pool)["remaining"] == 0
    assert not Match.objects.filter(donation=give(project, 500)).exists()  # dry, without waiting on the pool
    assert ledger_problems() == []


def test_closing_a_pool_closes_its_chunks(hot):
    project, pool = hot
    give(project, 1000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        pool_transition(pool=pool, target="closed", actor=pool.staff, reason="campaign over")
    assert not PoolChunk.objects.filter(closed_at__isnull=True).exists()
    assert Pool.objects.get(pk=pool.pk).allotted == 1000
    assert not Match.objects.filter(donation=give(project, 1000)).exists()
    assert ledger_problems() == []


def test_a_pool_closed_by_another_process_matches_nothing_more_here(hot, monkeypatch):
    """Another app process closed the pool, while this one still lists it as active (a
    process trusts its list for up to a second): this process's next gift finds its chunk
    closed and the pool's row closed, and is not matched."""
    from jusha.matching import selectors

    project, pool = hot
    give(project, 1000)  # this process lists the pool and holds a chunk of it
    listed = selectors._active
    pool_transition(pool=pool, target="closed", actor=pool.staff)
    monkeypatch.setattr(selectors, "_active", listed)  # as if the close happened elsewhere
    late = give(project, 1000)
    assert late.status == "paid" and not Match.objects.filter(donation=late).exists()
    assert Match.objects.count() == 1 and ledger_problems() == []


def test_a_pool_opened_by_another_process_matches_once_the_list_is_renewed(monkeypatch, settings):
    """A process reads the active pools again once its list is older than
    JUSHA_MATCHING["pools_fresh_seconds"]: a pool opened elsewhere matches from then on."""
    from jusha.matching import selectors

    settings.JUSHA_MATCHING = {**settings.JUSHA_MATCHING, "pools_fresh_seconds": 3600}  # this process keeps its list
    project = make_project(goal=10_000_000)
    give(project, 1000)  # no pool yet: this process lists none
    listed = selectors._active
    pool = make_pool(campaign=make_campaign(projects=[project]), budget=100_000)
    monkeypatch.setattr(selectors, "_active", listed)  # as if it was opened elsewhere
    assert not Match.objects.filter(donation=give(project, 1000)).exists()  # the list is still fresh
    settings.JUSHA_MATCHING = {**settings.JUSHA_MATCHING, "pools_fresh_seconds": 0}
    renewed = give(project, 1000)
    assert Match.objects.get(donation=renewed).pool_id == pool.pk and ledger_problems() == []
