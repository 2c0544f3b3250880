"""Matched money in the public log: every deposit into a pool, every match journalled to a
project and every match returned to its pool is one fact, queued in the transaction that
journals it, so the log says what the journal says (and nothing about the donor)."""

import pytest
from django.db import transaction

from jusha.ledger.models import JournalEntry
from jusha.matching import services
from jusha.matching.models import Match
from jusha.payments.sandbox import SandboxProvider
from jusha.transparency.leaves import parse
from jusha.transparency.models import Fact
from tests.factories import give, make_campaign, make_member, make_pool, make_project, make_user
from tests.gifts import refund as gift_refund

pytestmark = pytest.mark.django_db

MATCH_KINDS = ("pool_deposit", "match", "match_return")
PUBLIC_FIELDS = {
    "pool_deposit": {"kind", "v", "id", "pool", "sponsor", "amount", "currency", "deposited_at"},
    "match": {"kind", "v", "id", "pool", "sponsor", "donation", "receipt", "project", "amount", "currency",
              "ratio_bp", "matched_at"},
    "match_return": {"kind", "v", "id", "match", "pool", "sponsor", "donation", "receipt", "project", "amount",
                     "currency", "returned_at"},
}


def facts(kind):
    return [parse(bytes(leaf)) for leaf in Fact.objects.filter(kind=kind).order_by("pk").values_list("leaf", flat=True)]


def refund(donation, fen, actor):
    return gift_refund(donation, fen, actor=actor)


def journal_matched(project) -> int:
    """What the journal says the project was matched: match entries minus match returns."""
    amounts = JournalEntry.objects.filter(project=project).values_list("kind", "amount")
    return sum(a for k, a in amounts if k == "match") - sum(a for k, a in amounts if k == "match_return")


@pytest.fixture
def campaign_project():
    project = make_project(goal=10_000_000)
    return project, make_campaign(projects=[project])


def test_a_deposit_is_one_public_fact(campaign_project):
    _project, campaign = campaign_project
    pool = make_pool(campaign=campaign, budget=80_000)
    [fact] = facts("pool_deposit")
    deposit = pool.deposits.get()
    assert fact["id"] == str(deposit.pk) and fact["pool"] == pool.pk and fact["sponsor"] == pool.sponsor.slug
    assert (fact["amount"], fact["currency"]) == (80_000, "CNY")
    assert fact["deposited_at"].endswith("+08:00")
    assert fact["amount"] == JournalEntry.objects.get(kind="pool_deposit", reference=str(deposit.pk)).amount


def test_a_matched_paid_gift_is_exactly_one_match_fact(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, min_bp=5000)
    donation = give(project, 5000)
    SandboxProvider().complete(donation.intent_id, "succeeded")  # the provider retries: recorded once
    [fact] = facts("match")
    match = Match.objects.get(donation=donation)
    assert fact["id"] == str(match.pk) and fact["donation"] == str(donation.pk)
    assert (fact["receipt"], fact["project"], fact["pool"], fact["sponsor"]) == (
        donation.receipt_number, project.slug, pool.pk, pool.sponsor.slug)
    assert (fact["amount"], fact["currency"], fact["ratio_bp"]) == (2500, "CNY", 5000)
    [gift] = facts("gift")
    assert gift["id"] == fact["donation"] and gift["receipt"] == fact["receipt"]  # the same public gift
    assert facts("match_return") == []

    give(make_project(), 5000)  # no pool for it: a gift, no match fact
    assert len(facts("gift")) == 2 and len(facts("match")) == 1


def test_a_refund_that_returns_match_money_is_one_match_return_fact(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign, min_bp=7000)
    finance = make_member(project.organisation, "finance")
    donation = give(project, 3001)  # matched floor(3001 × 0.7) = 2100
    first = refund(donation, 1000, finance)
    [fact] = facts("match_return")
    entry = JournalEntry.objects.get(kind="match_return", reference=str(first.pk))
    match = Match.objects.get(donation=donation)
    assert fact["id"] == str(first.pk) and fact["match"] == str(match.pk) and fact["donation"] == str(donation.pk)
    assert (fact["amount"], fact["pool"], fact["project"]) == (entry.amount, pool.pk, project.slug)
    assert fact["amount"] == 2100 - 2100 * 2001 // 3001

    refund(donation, 2001, finance)
    assert [f["amount"] for f in facts("match_return")] == [fact["amount"], 2100 - fact["amount"]]
    assert len(facts("refund")) == 2 and len(facts("match")) == 1


def test_a_held_match_is_a_fact_only_once_released(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign)
    member = make_member(project.organisation, "editor")
    held = give(project, 5000, donor=member)  # the organisation's own member: held for review
    assert Match.objects.get(donation=held).status == "held" and facts("match") == []
    rejected = give(project, 3000, donor=member)
    services.match_reject(match=rejected.match, actor=pool.staff, note="the organisation's own money")
    assert facts("match") == [] and facts("match_return") == []  # nothing was journalled, nothing to say

    services.match_release(match=held.match, actor=pool.staff, note="checked")
    [fact] = facts("match")
    assert (fact["donation"], fact["amount"]) == (str(held.pk), 5000)


def test_a_rolled_back_transaction_leaves_no_fact(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign)
    finance = make_member(project.organisation, "finance")
    before = Fact.objects.count()
    pending = give(project, 5000, result=None)
    paid = give(project, 4000)
    after_gift = Fact.objects.count()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        make_pool(campaign=campaign, active=False)  # its deposit
        SandboxProvider().complete(pending.intent_id, "succeeded")
        refund(paid, 4000, finance)
        assert set(MATCH_KINDS) <= set(Fact.objects.values_list("kind", flat=True))
        raise Undo
    assert Fact.objects.count() == after_gift
    assert len(facts("match")) == 1 and facts("match_return") == [] and len(facts("pool_deposit")) == 1
    assert after_gift - before == 2  # the gift paid: its gift fact and its match fact


def test_match_facts_minus_returns_are_the_journals_matched_total(campaign_project):
    project, campaign = campaign_project
    other = make_project(goal=10_000_000)
    make_campaign(projects=[other])
    pool = make_pool(campaign=campaign, budget=1_000_000, min_bp=5000, max_bp=20_000)
    make_pool(campaign=other.campaign_applications.get().campaign, budget=1_000_000)
    finance = make_member(project.organisation, "finance")
    owner = project.organisation.memberships.get(role="owner").user
    gifts = [give(project, fen) for fen in (1000, 2999, 5000, 7777)]
    give(other, 4000)
    refund(gifts[0], 1000, finance)  # all of it
    refund(gifts[1], 999, finance)  # part
    refund(gifts[3], 1, finance)  # a fen
    held = give(project, 6000, donor=owner)
    refund(held, 1000, owner)  # un-reserved while held: nothing journalled
    services.match_release(match=Match.objects.get(donation=held), actor=pool.staff)
    refund(held, 5000, owner)  # returned after release: journalled

    for target in (project, other):
        matched = sum(f["amount"] for f in facts("match") if f["project"] == target.slug)
        returned = sum(f["amount"] for f in facts("match_return") if f["project"] == target.slug)
        assert matched - returned == journal_matched(target)
    assert journal_matched(project) > 0 and journal_matched(other) > 0  # the sums compared are not nothing
    for kind, entry_kind in (("match", "match"), ("match_return", "match_return"), ("pool_deposit", "pool_deposit")):
        journal = sorted(JournalEntry.objects.filter(kind=entry_kind).values_list("amount", flat=True))
        assert sorted(f["amount"] for f in facts(kind)) == journal  # one fact per entry, for its amount


def test_no_match_fact_carries_personal_data(campaign_project):
    project, campaign = campaign_project
    pool = make_pool(campaign=campaign)
    donor = make_user("wang.fang@example.org", display_name="Fang Wang")
    member = make_member(project.organisation, "editor", email="li.lei@example.org")
    guest = give(project, 3000, email="guest.person@example.org", name="张小明", message="加油")
    mine = give(project, 5000, donor=donor, name="王芳")
    own = give(project, 2000, donor=member)
    services.match_release(match=own.match, actor=pool.staff, note="checked")
    refund(mine, 2500, make_member(project.organisation, "finance"))

    personal = ["wang.fang", "guest.person", "li.lei", "example.org", "张小明", "王芳", "加油", "Fang", "BANK-0001"]
    for donation in (guest, mine, own):
        donation.refresh_from_db()
        context = getattr(donation, "gift_context", None)
        personal += [h for h in (getattr(context, "device_hash", ""), getattr(context, "network_hash", "")) if h]
    leaves = [bytes(leaf) for leaf in Fact.objects.filter(kind__in=MATCH_KINDS).values_list("leaf", flat=True)]
    assert sorted({parse(leaf)["kind"] for leaf in leaves}) == sorted(MATCH_KINDS)
    for leaf in leaves:
        fact = parse(leaf)
        assert set(fact) == PUBLIC_FIELDS[fact["kind"]]  # no commitment, no donor, no message
        text = leaf.decode()
        assert not [word for word in personal if word in text]


def test_the_fund_flow_picture_shows_what_sponsors_matched_as_the_log_does(campaign_project, client):
    import re

    project, campaign = campaign_project
    make_pool(campaign=campaign, projects=[project], budget=100_000, min_bp=10_000)
    give(project, 5_000)
    matched = sum(parse(bytes(leaf))["amount"] for leaf in Fact.objects.filter(kind="match").values_list("leaf", flat=True))
    assert matched == journal_matched(project) == 5_000
    page = client.get(f"/log/flow/{project.slug}/").content.decode()
    rows = dict(((a, b), c) for a, b, c in re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", page.split('data-testid="flow-table"')[1]))
    assert rows[("Matched by sponsors", project.title)] == "¥50.00"
    assert rows[(project.title, "Held, not yet spent")] == "¥100.00"  # the gift and its match, not yet spent
