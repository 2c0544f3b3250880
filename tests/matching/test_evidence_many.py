"""The anti-gaming evidence of a settler's batch read at once (services.evidence_many) is
exactly each gift's own (services._evidence): members, shared e-mail, device and network,
repeat accounts, bursts after a tranche opens, on varied gifts and pools."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jusha.core import events
from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.giving.services import donation_open
from jusha.giving.settle import gifts_settle
from jusha.matching import rules
from jusha.matching.models import GiftContext, Match
from jusha.matching.selectors import eligible_pools
from jusha.matching.services import _context_of, _evidence, evidence_many, thresholds
from jusha.payments.sandbox import SandboxProvider
from tests.factories import make_member, make_org, make_pool, make_project, make_user


def paid(project, *, donor=None, email="", network="", device="", amount=1_000):
    donation, _token = donation_open(project=project, amount=Money(amount, project.currency), donor=donor, email=email,
                                     client=ClientContext(network=network, device=device))
    SandboxProvider().complete(donation.intent_id, "succeeded")
    return donation


def loaded(gifts):
    """As the settler loads its batch."""
    return list(Donation.objects.select_related("project__organisation", "gift_context", "attribution")
                .filter(pk__in=[g.pk for g in gifts]).order_by("paid_at", "pk"))


@pytest.fixture
def varied(settings):
    return varied_gifts(settings)


def varied_gifts(settings):
    settings.JUSHA_MATCHING = {**settings.JUSHA_MATCHING, "burst_seconds": 3600}
    now = timezone.now()
    org = make_org(name="Org A")
    org.contact_email = "Contact@Org-A.example"
    org.save(update_fields=["contact_email"])
    other_org = make_org(name="Org B")
    member = make_member(org, "editor", email="Member.One@example.org")
    outsider = make_user("outsider@example.org")
    a, b, c = make_project(org), make_project(other_org), make_project(org)
    make_pool(budget=10_000_000, projects=[a, b], starts_at=now - timedelta(seconds=5), ends_at=now + timedelta(days=3))
    make_pool(budget=10_000_000, projects=[c], starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2),
              tranches=[2_500_000] * 4)
    gifts = [
        paid(a, donor=member, email=member.email, network="10.0.0.1", device="d" * 32),  # own member
        paid(a, email="contact@org-a.example"),  # the organisation's own contact e-mail
        paid(a, email="MEMBER.ONE@example.org"),  # a member's e-mail, another case
        paid(a, device="d" * 32),  # a member's device
        paid(a, network="10.0.0.1"),  # a member's network
        paid(a, network="10.0.0.1", device="e" * 32),
        paid(a, network="10.0.0.2", device="e" * 32),
        paid(a, donor=outsider, email=outsider.email),
        paid(a, donor=outsider, email=outsider.email, network="10.0.0.2"),
        paid(a, email="guest@example.org"),
        paid(a, email="guest@example.org", network="10.0.0.3"),
        paid(a, email="Guest@example.org"),  # another account: e-mails count as written
        paid(a),  # a guest with nothing: a donor of one gift
        paid(b, donor=member, email=member.email, network="10.0.0.1"),  # a member, but of another organisation
        paid(b, network="10.0.0.1", device="d" * 32),
        paid(c, donor=outsider, email=outsider.email, network="10.0.0.2"),
        paid(c, email="contact@org-a.example", network="10.0.0.2"),
        paid(c, network="10.0.0.2", device="d" * 32),
    ]
    GiftContext.objects.filter(donation=gifts[10]).delete()  # a gift without a context (counted all the same)
    return gifts


@pytest.mark.django_db
def test_the_batch_evidence_is_each_gifts_own(varied):
    limits = thresholds()
    gifts = loaded(varied)
    with events.batch():
        with CaptureQueriesContext(connection) as queries:
            found = evidence_many(gifts, limits)
        # The active pools are the process's (re-read here: the test settings keep them no time).
        reads = [q["sql"] for q in queries.captured_queries if '"matching_pool' not in q["sql"].split("FROM")[1][:20]]
        assert len(reads) <= 3, reads  # members, members' contexts, counts: for the whole batch
        compared = 0
        for gift in gifts:
            pools = eligible_pools(gift.project, gift.paid_at)
            assert (gift.pk, pools[0].pk) in found
            own = _evidence(gift, _context_of(gift), pools[0], limits)
            assert found[(gift.pk, pools[0].pk)] == own, gift.email
            compared += 1
    assert compared == len(gifts) == len(found)
    evidence = list(found.values())
    # The cases the gifts were made for are there (so the comparison is not of empty evidence).
    assert any(e.own_member for e in evidence)
    assert {"email", "device", "network"} <= {name for e in evidence for name in e.org_identity}
    assert max(e.account_gifts for e in evidence) >= 2 and max(e.network_gifts for e in evidence) >= 3
    assert max(e.device_gifts for e in evidence) >= 2
    if any(e.seconds_after_opening is not None for e in evidence):
        assert max(e.burst_gifts for e in evidence) >= 2


@pytest.mark.django_db
def test_overflow_gifts_and_gifts_no_pool_matches_are_left_out(varied):
    outside = make_project()
    gifts = loaded([*varied[:3], paid(outside)])
    Donation.objects.filter(pk=gifts[0].pk).update(arrived_late=True)
    gifts[0].arrived_late = True
    found = evidence_many(gifts, thresholds())
    assert {pk for pk, _pool in found} == {gifts[1].pk, gifts[2].pk}


@pytest.mark.django_db
def test_a_settlers_batch_holds_matches_for_the_gifts_own_signals(settings):
    """Settled in one batch (not inline, one by one), each gift's match is held for exactly
    the signals its own evidence gives."""
    settings.JUSHA_SETTLE = {**settings.JUSHA_SETTLE, "inline": False, "kick_seconds": 1e12}
    gifts = varied_gifts(settings)
    assert gifts_settle() == len(gifts)
    limits = thresholds()
    matches = {m.donation_id: m for m in Match.objects.filter(donation__in=[g.pk for g in gifts])}
    assert len(matches) == len(gifts)
    assert any(m.status == "held" for m in matches.values()) and any(m.status == "matched" for m in matches.values())
    for gift in loaded(gifts):
        pool = eligible_pools(gift.project, gift.paid_at)[0]
        assert matches[gift.pk].signals == rules.signals(_evidence(gift, _context_of(gift), pool, limits), limits)
