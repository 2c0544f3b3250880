"""Reads of matching: a gift's match, a pool's figures, a project's matched total, the
staff review queue and its totals."""

from __future__ import annotations

import time
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core import events
from jusha.campaigns.rules import is_open
from jusha.matching import rules, states
from jusha.matching.models import Match, Pool
from jusha.campaigns.models import Application
from jusha.organisations.permissions import roles_for
from jusha.projects.selectors import project_sums

NO_MATCH = (0, "none")
UNPAID = ("pending", "failed", "expired")


def donation_match(donation) -> tuple[int, str]:
    """(matched, match_status) of a gift: the match net of anything returned, and one of
    none, matched, held, released, returned. No query for an unpaid gift, none when the
    caller loaded `match` with select_related."""
    if donation.status in UNPAID:
        return NO_MATCH
    try:
        match = donation.match
    except Match.DoesNotExist:
        return NO_MATCH
    return match.net, match.status


def donation_match_info(donation) -> dict:
    """What a gift's receipt shows of its match: `matched`, `status` and `pool` (with its
    sponsor; None without a match)."""
    matched, status = donation_match(donation)
    pool = None
    if status != "none":
        prefetch_related_objects([donation.match], "pool__sponsor")
        pool = donation.match.pool
    return {"matched": matched, "status": status, "pool": pool}


def donation_match_fields(donation) -> dict:
    """A gift's API answer (giving.schemas.donation_answer): its match, apart from `raised`."""
    matched, match_status = donation_match(donation)
    return {"matched": matched, "match_status": match_status}


# The active pools as this process last read them, for at most `pools_fresh_seconds`:
# every gift asks which pools may match it, and pools change rarely. An active pool's rules,
# window and projects never change; what does (opening, closing, money) is read fresh where
# it matters: a pool closed meanwhile matches nothing more, because closing closes its
# chunks (a draw on a closed chunk takes nothing) and a new chunk is cut only from a pool
# whose locked row says active. A newly opened pool matches from at most that long after.
_active: tuple[float, list, dict] | None = None


def active_pools_forget() -> None:
    """Read the active pools afresh on the next gift (a pool opened or closed here; tests)."""
    global _active
    _active = None


def active_pools_changed() -> None:
    """A pool, or a campaign it belongs to, changed in this transaction: this process reads
    the active pools afresh at once, and again after the commit (not the state a gift read
    meanwhile); other processes within `pools_fresh_seconds`."""
    active_pools_forget()
    transaction.on_commit(active_pools_forget)


def active_pools_changed_by(_event) -> None:
    """A campaign changed (core.events.campaign_changed, subscribed in the transaction and
    after its commit, as active_pools_changed does): read the active pools afresh."""
    active_pools_forget()


def _active_pools() -> tuple[list[Pool], dict[int, set[int]]]:
    """(active pools in the order they are tried, pool -> the projects it names)."""
    global _active
    now = time.monotonic()
    cached = _active
    if cached is not None and now - cached[0] < settings.JUSHA_MATCHING["pools_fresh_seconds"]:
        return cached[1], cached[2]
    pools = list(Pool.objects.filter(status=states.ACTIVE).select_related("campaign", "sponsor").order_by("pk"))
    named = defaultdict(set)  # pool -> the projects it names (none: every project of its causes)
    if pools:
        through = Pool.projects.through.objects.filter(pool_id__in=[p.pk for p in pools])
        for pool_id, project_id in through.values_list("pool_id", "project_id"):
            named[pool_id].add(project_id)
    _active = (now, pools, named)
    return pools, named


def eligible_pools(project, moment) -> list[Pool]:
    """Active pools that would match a gift to `project` paid at `moment`, in the order they
    are tried: live (activated, so their seed hash is public) and inside their window and
    their campaign's hours; the project accepted in their campaign, of an eligible cause,
    and among their projects when they name some."""
    active, named = _active_pools()
    pools = [
        p for p in active
        if p.currency == project.currency and p.starts_at <= moment < p.ends_at
        and p.activated_at is not None and p.activated_at <= moment
    ]
    accepted = set()
    if any(p.campaign_id for p in pools):
        batch = events.batch_state()  # a settler's batch: each project's campaigns read once
        known = batch.setdefault("matching.accepted", {}) if batch is not None else {}
        if project.pk not in known:
            applications = Application.objects.filter(project=project, status=Application.Status.ACCEPTED)
            known[project.pk] = set(applications.values_list("campaign_id", flat=True))
        accepted = known[project.pk]
    eligible = []
    for pool in pools:
        campaign = pool.campaign
        if campaign is not None and (
            pool.campaign_id not in accepted or campaign.published_at is None or not is_open(campaign.window, moment)
        ):
            continue
        if pool.causes and project.cause not in pool.causes:
            continue
        ids = named.get(pool.pk)
        if ids and project.pk not in ids:
            continue
        eligible.append(pool)
    return eligible


def seed_revealed(pool, now=None) -> bool:
    """The seed is published once matching can no longer happen: window over, or closed."""
    return pool.status == states.CLOSED or pool.ends_at <= (now or timezone.now())


def is_visible(pool, user) -> bool:
    """Active and closed pools are public; a draft only to its sponsor and staff."""
    if pool.status != states.DRAFT:
        return True

    return bool(roles_for(user, pool.sponsor))


def committed_sums() -> dict:
    """Aggregates over matches: `spent` (journalled) and `held` (for review), each net of
    what was returned to the pool."""
    net = F("amount") - F("returned")
    return {"spent": Sum(net, filter=Q(journalled__gt=0)), "held": Sum(net, filter=Q(status=states.HELD))}


def pool_figures(pool, *, now=None) -> dict:
    """Budget, deposits, what is matched (spent: journalled, net of returns), held and
    remaining (neither: whether it sits in the pool or in a process's chunk), what the
    tranches have released so far, and the released/returned totals of reviewed and
    refunded matches."""
    now = now or timezone.now()
    sums = pool.matches.aggregate(
        **committed_sums(),
        n=Count("id"),
        released_sum=Sum("journalled", filter=Q(status=states.RELEASED)),
        returned_sum=Sum("returned"),
        rejected_sum=Sum("amount", filter=Q(status=states.RETURNED, journalled=0, decided_at__isnull=False)),
        held_n=Count("id", filter=Q(status=states.HELD)),
    )
    day = rules.day_index(pool.starts_at, now)
    spent, held = sums["spent"] or 0, sums["held"] or 0
    return {
        "budget": pool.budget,
        "deposited": pool.deposited,
        "spent": spent,
        "held": held,
        "remaining": pool.deposited - spent - held,
        "released_so_far": min(pool.deposited, rules.released(pool.rules, day)) if pool.status != states.DRAFT else 0,
        "matches": sums["n"],
        "held_count": sums["held_n"],
        "released": sums["released_sum"] or 0,
        "returned": sums["returned_sum"] or 0,
        "rejected": sums["rejected_sum"] or 0,
    }


def with_pool_figures(pools, *, now=None) -> list[Pool]:
    """The pools, each with `figures` (pool_figures), `seed_revealed` and `bar` (the share
    of its budget used, percent): what pool pages and answers show, read here."""
    pools = list(pools)
    for pool in pools:
        pool.figures, pool.seed_revealed = pool_figures(pool, now=now), seed_revealed(pool, now)
        pool.bar = 100 - pool.figures["remaining"] * 100 // pool.budget if pool.budget else 100
    return pools


def pool_for_answer(pool) -> Pool:
    """The pool as the API answers with it (schemas.pool_out): sponsor, campaign and named
    projects loaded, with its figures."""
    prefetch_related_objects([pool], "sponsor", "campaign", "projects")
    return with_pool_figures([pool])[0]


def pool_matches(pool, *, newest_first: bool = False):
    """The pool's matches with their gifts and projects: newest first for its page, oldest
    first for the audit answer."""
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    return pool.matches.select_related("donation", "project").order_by(*order)


def pools_of_campaign(campaign) -> list[Pool]:
    return list(campaign.pools.exclude(status=states.DRAFT).select_related("sponsor").order_by("pk"))


# --- what a campaign's pages and answers show of its pools (campaigns.contributions) -----

def _campaign_match_sums(matches, key: str) -> dict:
    """{key: {"matched": paid or released, "held": held for review}}, net of returns."""
    net = F("amount") - F("returned")
    rows = matches.values(key).annotate(
        matched=Sum(net, filter=Q(status__in=states.PAID)), held=Sum(net, filter=Q(status=states.HELD))
    ).order_by()
    return {row.pop(key): row for row in rows}


def campaign_sums(campaign_ids) -> dict[int, dict]:
    """What the campaigns' pools matched and hold: one query."""
    return _campaign_match_sums(Match.objects.filter(pool__campaign__in=campaign_ids), "pool__campaign")


def campaign_project_sums(campaign) -> dict[int, dict]:
    """What each project got from the campaign's pools: one query."""
    sums = _campaign_match_sums(Match.objects.filter(pool__campaign=campaign), "project_id")
    return {pk: {"matched": row["matched"]} for pk, row in sums.items()}


def campaign_gift_matches(donations) -> dict:
    """The match shown beside each of these gifts, when it was paid or released: one query."""
    matches = Match.objects.filter(donation__in=[d.pk for d in donations], status__in=states.PAID)
    return {m.donation_id: m.net for m in matches.only("donation_id", "amount", "returned", "status")}


def campaign_pools(campaign, *, figures: bool = False) -> list[Pool]:
    """The campaign's public pools; with `figures`, each with its figures, the share used
    (`bar`, percent) and whether its seed is revealed."""
    pools = pools_of_campaign(campaign)
    return with_pool_figures(pools) if figures else pools


def campaign_window_problems(campaign, window) -> list[str]:
    """A campaign's pools published their windows: the campaign must still contain them."""
    if any(p.starts_at < window.starts_at or p.ends_at > window.ends_at for p in campaign.pools.all()):
        return [_("The campaign's pools published their windows: the campaign must still contain them.")]
    return []


def project_matching(project) -> dict:
    """For the project page: matched so far (net, from the journal), held for review, and
    whether a pool is matching its gifts right now."""
    held = Match.objects.filter(project=project, status=states.HELD).aggregate(t=Sum(F("amount") - F("returned")))["t"]
    live = eligible_pools(project, timezone.now()) if project.status == "fundraising" else []
    return {
        "matched": project_sums([project.pk])[project.pk].matched,
        "held": held or 0,
        "pools": live,
        "currency": project.currency,
    }


def review_queue():
    """Held matches with their gifts, donors, projects and pools, oldest first."""
    return (
        Match.objects.filter(status=states.HELD)
        .select_related("donation__donor", "project__organisation", "pool__sponsor")
        .order_by("created_at", "id")
    )


def review_totals() -> dict:
    """Held, released and rejected matches: how many, how much (reported on the queue)."""
    net = F("amount") - F("returned")
    return Match.objects.aggregate(
        held_count=Count("id", filter=Q(status=states.HELD)),
        held=Sum(net, filter=Q(status=states.HELD)),
        released_count=Count("id", filter=Q(status=states.RELEASED)),
        released=Sum("journalled", filter=Q(status=states.RELEASED)),
        rejected_count=Count("id", filter=Q(status=states.RETURNED, journalled=0, decided_at__isnull=False)),
        rejected=Sum("amount", filter=Q(status=states.RETURNED, journalled=0, decided_at__isnull=False)),
    )
