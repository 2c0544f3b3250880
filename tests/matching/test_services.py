"""Matching through the real gift path: sandbox payment → signed notification → gift and
match journalled in one transaction; refunds return matches; held matches decided by staff."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from jusha.core.money import Money
from jusha.core.client import ClientContext
from jusha.core.errors import Conflict, Forbidden, Invalid, TransitionRefused
from jusha.core.models import AuditLog
from jusha.core.money import Money
from jusha.giving.services import donation_open, donation_refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.projects.selectors import project_sums
from jusha.matching import services
from jusha.matching.models import Deposit, Match, Pool
from jusha.matching.selectors import pool_figures
from jusha.payments.sandbox import SandboxProvider
from tests.factories import give, make_campaign, make_member, make_org, make_pool, make_project, make_user

pytestmark = pytest.mark.django_db


def figures(pool, *names):
    """A pool's figures (derived from its matches), in the order named."""
    found = pool_figures(pool)
    return tuple(found[name] for name in names)


@pytest.fixture
def campaign_project():
    project = make_project(goal=10_000_000)
    return project, make_campaign(projects=[project])


def finance_of(project):
    return make_member(project.organisation, "finance")


def state():
    return (
        Match.objects.count(), JournalEntry.objects.count(), Deposit.objects.count(),
        list(Pool.objects.order_by("pk").values_list("status", "deposited", "allotted")),
    )


def test_gift_in_campaign_is_matched_and_journalled_apart(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, budget=100_000)
    donation = give(project, 5000)
    match = Match.objects.get(donation=donation)
    assert (match.status, match.amount, match.ratio_bp, match.journalled) == ("matched", 5000, 10_000, 5000)
    entry = JournalEntry.objects.get(kind="match", reference=str(donation.pk))
    assert entry.amount == 5000 and entry.project_id == project.pk
    sums = project_sums([project.pk])[project.pk]
    assert (sums.raised, sums.matched, sums.available) == (5000, 5000, 10_000)  # raised stays gifts − refunds
    assert figures(pool, "spent", "held", "remaining") == (5000, 0, 95_000)
    assert ledger_problems() == []


def test_pool_pays_out_exactly_what_it_holds_first_come_first_served(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, budget=10_000)
    first, second, third = give(project, 6000), give(project, 6000), give(project, 6000)
    assert Match.objects.get(donation=first).amount == 6000
    assert Match.objects.get(donation=second).amount == 4000  # the last 40 yuan, not refused
    assert not Match.objects.filter(donation=third).exists()
    assert figures(pool, "spent", "remaining") == (10_000, 0)
    call_command("ledger_check")


def test_caps_per_gift_per_donor_day_and_per_project(campaign_project):
    project, campaign = campaign_project
    other = make_project(goal=10_000_000)
    campaign_project_2 = make_campaign(projects=[other])
    make_pool(campaign=campaign, budget=100_000, gift_cap=3000, donor_daily_cap=5000, project_cap=20_000)
    donor = make_user()
    assert Match.objects.get(donation=give(project, 9000, donor=donor)).amount == 3000  # per gift
    assert Match.objects.get(donation=give(project, 9000, donor=donor)).amount == 2000  # donor's day
    assert not Match.objects.filter(donation=give(project, 9000, donor=donor)).exists()
    for _i in range(5):
        give(project, 3000, email=f"g{_i}@example.org")
    assert sum(m.amount for m in Match.objects.filter(project=project)) == 20_000  # per project
    assert not Match.objects.filter(project=other).exists()  # other campaign, no pool
    assert campaign_project_2.pools.count() == 0
    assert ledger_problems() == []


def test_minimum_gift_random_ratio_causes_and_named_projects(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, min_bp=5000, max_bp=15_000, min_gift=1000)
    assert not Match.objects.filter(donation=give(project, 999)).exists()
    donation = give(project, 1000)
    match = Match.objects.get(donation=donation)
    from jusha.matching import rules

    assert match.ratio_bp == rules.draw_bp(pool.rules, seed=pool.seed, donation_id=str(donation.pk))
    assert match.amount == 1000 * match.ratio_bp // 10_000
    health = make_project(cause="health")
    make_pool(budget=5000, causes=["children"])  # no campaign: any project of an eligible cause
    assert not Match.objects.filter(donation=give(health, 1000)).exists()
    named = make_project()
    make_pool(budget=5000, projects=[named])
    assert Match.objects.get(donation=give(named, 1000)).amount == 1000
    assert not Match.objects.filter(donation=give(make_project(), 1000)).exists()


def test_no_match_outside_the_campaign_or_its_window_or_hours():
    inside, outside = make_project(), make_project()
    campaign = make_campaign(projects=[inside])
    make_pool(campaign=campaign)
    assert not Match.objects.filter(donation=give(outside, 1000)).exists()  # not in the campaign
    assert Match.objects.filter(donation=give(inside, 1000)).exists()

    ended = make_project()
    now = timezone.now()
    past = make_campaign(projects=[ended], starts_at=now - timedelta(days=3), ends_at=now + timedelta(minutes=1))
    pool = make_pool(campaign=past)
    Pool.objects.filter(pk=pool.pk).update(ends_at=now - timedelta(seconds=1))  # the window just closed
    assert not Match.objects.filter(donation=give(ended, 1000)).exists()

    hours = make_project()
    local = timezone.localtime()

    def clock(hours_from_now):
        return (local + timedelta(hours=hours_from_now)).time().replace(second=0, microsecond=0)

    # Daily hours that leave out the present moment: two to three hours from now, or, when
    # that would run past midnight, three to two hours ago.
    opens, closes = (clock(2), clock(3)) if clock(2) < clock(3) else (clock(-3), clock(-2))
    paused = make_campaign(projects=[hours], daily_opens=opens, daily_closes=closes)
    make_pool(campaign=paused)
    assert not Match.objects.filter(donation=give(hours, 1000)).exists()


def test_failed_and_overflow_gifts_never_spend_a_match(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign)
    give(project, 5000, result="failed")
    assert Match.objects.count() == 0

    small = make_project(goal=10_000)
    make_campaign(projects=[small])
    make_pool(campaign=small.campaign_applications.get().campaign)
    late, _token = donation_open(project=small, amount=Money(4000, "CNY"), client=ClientContext())
    give(small, 10_000)  # fills the project
    with TestCase.captureOnCommitCallbacks(execute=True):
        SandboxProvider().complete(late.intent_id, "succeeded")  # overflow: refunded, never matched
    late.refresh_from_db()
    assert late.status == "refunded" and not Match.objects.filter(donation=late).exists()
    assert pool_figures(pool)["spent"] == 0
    assert ledger_problems() == []


def test_a_replayed_notification_matches_once(campaign_project):
    project, campaign = campaign_project
    make_pool(campaign=campaign)
    donation = give(project, 5000)
    SandboxProvider().complete(donation.intent_id, "succeeded")  # the provider retries
    assert Match.objects.filter(donation=donation).count() == 1
    assert JournalEntry.objects.filter(kind="match").count() == 1


def test_refunds_return_matches_to_the_pool_in_proportion(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, min_bp=7000)
    finance = finance_of(project)
    donation = give(project, 3001)  # match floor(3001 × 0.7) = 2100
    donation_refund(donation=donation, amount=Money(1000, "CNY"), reason="partly", actor=finance)
    match = Match.objects.get(donation=donation)
    assert match.amount == 2100 and match.returned == 2100 - 2100 * 2001 // 3001 and match.status == "matched"
    donation.refresh_from_db()
    donation_refund(donation=donation, amount=Money(2001, "CNY"), reason="the rest", actor=finance)
    match.refresh_from_db()
    assert (match.returned, match.status) == (2100, "returned")
    assert sum(JournalEntry.objects.filter(kind="match_return").values_list("amount", flat=True)) == 2100
    assert figures(pool, "spent", "remaining") == (0, pool.budget)  # back in the pool, for the next gifts
    assert project_sums([project.pk])[project.pk].matched == 0
    assert ledger_problems() == []


def test_member_gift_to_own_project_is_accepted_but_its_match_held_then_released(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign)
    member = make_member(project.organisation, "editor")
    donation = give(project, 5000, donor=member)
    assert donation.status == "paid"
    match = Match.objects.get(donation=donation)
    assert match.status == "held" and [s["code"] for s in match.signals] == ["own_member"]
    assert not JournalEntry.objects.filter(kind="match").exists()
    assert figures(pool, "held", "spent", "remaining") == (5000, 0, pool.budget - 5000)

    before = state()
    with pytest.raises(Forbidden):
        services.match_release(match=match, actor=make_user())
    with pytest.raises(Forbidden):
        services.match_reject(match=match, actor=member, note="mine")
    assert state() == before

    services.match_release(match=match, actor=pool.staff, note="a volunteer's own money, checked")
    match.refresh_from_db()
    assert (match.status, match.journalled) == ("released", 5000)
    assert figures(pool, "held", "spent") == (0, 5000)
    assert AuditLog.objects.filter(action="match.release").count() == 1
    with pytest.raises(TransitionRefused):
        services.match_release(match=match, actor=pool.staff)
    assert ledger_problems() == []


def test_rejected_hold_frees_its_reservation_and_pays_nothing(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, budget=5000)
    owner = project.organisation.memberships.get(role="owner").user
    held = give(project, 5000, donor=owner)
    assert not Match.objects.filter(donation=give(project, 100)).exists()  # all reserved
    with pytest.raises(Invalid):
        services.match_reject(match=held.match, actor=pool.staff, note="")
    services.match_reject(match=held.match, actor=pool.staff, note="套捐: the organisation's own money")
    held.match.refresh_from_db()
    assert (held.match.status, held.match.returned, held.match.journalled) == ("returned", 5000, 0)
    assert figures(pool, "held", "spent", "remaining") == (0, 0, 5000)
    assert Match.objects.get(donation=give(project, 100)).amount == 100  # freed for the next gift
    assert ledger_problems() == []


def test_refund_of_a_held_gift_unreserves_without_journalling(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign)
    owner = project.organisation.memberships.get(role="owner").user
    donation = give(project, 4000, donor=owner)
    donation_refund(donation=donation, amount=Money(1000, "CNY"), reason="part", actor=owner)
    match = Match.objects.get(donation=donation)
    assert (match.status, match.returned) == ("held", 1000)
    services.match_release(match=match, actor=pool.staff)
    match.refresh_from_db()
    assert match.journalled == 3000
    donation.refresh_from_db()
    donation_refund(donation=donation, amount=Money(3000, "CNY"), reason="rest", actor=owner)
    match.refresh_from_db()
    assert (match.status, match.returned) == ("returned", 4000)
    assert JournalEntry.objects.get(kind="match_return").amount == 3000
    assert ledger_problems() == []


def test_pool_rules_and_deposits_refused_change_nothing():
    sponsor = make_org()
    owner = make_member(sponsor, "owner")
    staff = make_user(is_staff=True)
    now = timezone.now()
    base = {"sponsor": sponsor, "name": "P", "budget": Money(10_000), "min_bp": 10_000, "max_bp": 10_000,
            "starts_at": now, "ends_at": now + timedelta(days=1)}
    before = state()
    with pytest.raises(Forbidden):
        services.pool_create(actor=make_user(), **base)
    for bad, code in [
        ({"min_bp": 0, "max_bp": 0}, "invalid_ratio"),
        ({"gift_cap": Money(50), "min_gift": Money(100)}, "cap_below_minimum"),
        ({"ends_at": now - timedelta(hours=1)}, "invalid_window"),
        ({"tranches": [Money(1)]}, "invalid_tranches"),
        ({"min_bp": 10_000.5}, "invalid_number"),
        ({"budget": Money(10_000, "USD")}, "invalid_currency"),
        ({"gift_cap": Money(5_000, "USD")}, "currency_mismatch"),
    ]:
        with pytest.raises(Invalid) as refused:
            services.pool_create(actor=owner, **(base | bad))
        assert refused.value.code == code
    for bad in ({"budget": 10.5}, {"budget": 10_000}, {"gift_cap": 5_000}, {"tranches": [10_000]}):
        with pytest.raises(TypeError, match="must be Money"):  # services take Money: a bare number is a bug
            services.pool_create(actor=owner, **(base | bad))
    assert state() == before

    pool = services.pool_create(actor=owner, **base)
    with pytest.raises(TransitionRefused) as refused:
        services.pool_transition(pool=pool, target="active", actor=staff)
    assert refused.value.code == "pool_not_funded"
    with pytest.raises(Forbidden):
        services.pool_deposit(pool=pool, amount=Money(10_000), reference="X", actor=owner)
    with pytest.raises(Conflict):
        services.pool_deposit(pool=pool, amount=Money(10_001), reference="X", actor=staff)
    with pytest.raises(Invalid) as refused:
        services.pool_deposit(pool=pool, amount=Money(0), reference="X", actor=staff)
    assert refused.value.code == "invalid_amount"
    with pytest.raises(TypeError):
        services.pool_deposit(pool=pool, amount=10_000, reference="X", actor=staff)
    with pytest.raises(TransitionRefused):
        services.pool_transition(pool=pool, target="active", actor=owner)  # staff only
    pool.refresh_from_db()
    assert (pool.status, pool.deposited) == ("draft", 0)
    assert not JournalEntry.objects.exists()
    services.pool_deposit(pool=pool, amount=Money(10_000), reference="X", actor=staff)
    assert services.pool_transition(pool=pool, target="active", actor=staff).status == "active"
    call_command("ledger_check")


def test_pool_projects_must_be_in_its_campaign():
    inside, outside = make_project(), make_project()
    campaign = make_campaign(projects=[inside])
    with pytest.raises(Invalid) as refused:
        make_pool(campaign=campaign, projects=[inside, outside])
    assert refused.value.code == "project_not_in_campaign"
    assert make_pool(campaign=campaign, projects=[inside]).status == "active"


def test_gift_contexts_are_purged_after_90_days(campaign_project):
    from jusha.matching.models import GiftContext

    project, _campaign = campaign_project
    donation = give(project, 100)  # opening the gift recorded its context (here with no client to hash)
    assert GiftContext.objects.filter(donation=donation).update(network_hash="a" * 64, device_hash="b" * 64) == 1
    assert services.gift_contexts_purge() == 0
    assert services.gift_contexts_purge(now=timezone.now() + timedelta(days=91)) == 1
    assert not GiftContext.objects.exists()
