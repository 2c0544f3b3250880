"""Reads of campaigns: live totals, the leaderboard and the ticker, each in a constant
number of queries. A campaign's `raised` is gifts paid to its accepted projects inside its
window, less their refunds; `matched` is what its pools paid (net of returned matches),
reported apart; `held` is what its pools reserve while staff review flagged gifts. What the
pools matched and hold, and the pools themselves, are contributed by matching
(`campaigns.contributions`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from jusha.campaigns import contributions, rules, states
from jusha.campaigns.models import Application, Campaign
from jusha.giving.models import Donation
from jusha.organisations.models import Membership
from jusha.projects.models import Project

CLOSED_PROJECTS = ("cancelled", "completed")  # project statuses that cannot join a campaign
PAID = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED)
COUNTED = (Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED)
ACCEPTED = Application.Status.ACCEPTED


@dataclass(frozen=True)
class Totals:
    raised: int = 0
    matched: int = 0
    held: int = 0
    donors: int = 0

    @property
    def total(self) -> int:
        return self.raised + self.matched


def public_campaigns():
    return Campaign.objects.filter(published_at__isnull=False)


def accepted_project_ids(campaign) -> set[int]:
    return set(campaign.applications.filter(status=ACCEPTED).values_list("project_id", flat=True))


def _gifts_in_window(**filters):
    """Gifts paid to accepted projects inside their campaign's window (one join row each)."""
    return Donation.objects.filter(
        project__campaign_applications__status=ACCEPTED,
        paid_at__gte=F("project__campaign_applications__campaign__starts_at"),
        paid_at__lt=F("project__campaign_applications__campaign__ends_at"),
        status__in=PAID,
        **{f"project__campaign_applications__{k}": v for k, v in filters.items()},
    )


def _gift_sums(queryset, key: str) -> dict:
    rows = queryset.values(key).annotate(
        gifts=Sum("amount"), refunded=Sum("refunded_amount"), n=Count("id", filter=Q(status__in=COUNTED))
    ).order_by()
    return {row[key]: row for row in rows}


def _contributed(provided: list[dict]) -> dict:
    """Adds up the figures providers gave per key: {key: {figure: fen}}."""
    out: dict = {}
    for figures in provided:
        for key, values in figures.items():
            mine = out.setdefault(key, {})
            for name, value in values.items():
                mine[name] = mine.get(name, 0) + (value or 0)
    return out


def campaign_totals(campaigns) -> dict[int, Totals]:
    """Totals for any number of campaigns: one query, and one per contribution (matching)."""
    ids = [c.pk for c in campaigns]
    if not ids:
        return {}
    gifts = _gift_sums(_gifts_in_window(campaign__in=ids), "project__campaign_applications__campaign")
    matches = _contributed(contributions.sums.collect(ids))
    out = {}
    for pk in ids:
        g, m = gifts.get(pk, {}), matches.get(pk, {})
        out[pk] = Totals(
            raised=(g.get("gifts") or 0) - (g.get("refunded") or 0), matched=m.get("matched") or 0,
            held=m.get("held") or 0, donors=g.get("n") or 0,
        )
    return out


def with_figures(campaigns, *, now=None) -> list[Campaign]:
    """The campaigns with `totals`, `phase` and `countdown` (the moment it counts to)."""
    campaigns = list(campaigns)
    now = now or timezone.now()
    totals = campaign_totals(campaigns)
    for c in campaigns:
        c.totals = totals[c.pk]
        c.phase = rules.phase(c.window, now)
        c.countdown = rules.countdown_target(c.window, now)
    return campaigns


def leaderboard(campaign, limit: int | None = None) -> list[Project]:
    """Accepted projects, most raised plus matched in the campaign first, each with
    `campaign_raised`, `campaign_matched`, `campaign_donors` and `campaign_total`. Two
    queries, and one per contribution (matching)."""
    projects = list(
        Project.objects.filter(campaign_applications__campaign=campaign, campaign_applications__status=ACCEPTED)
        .select_related("organisation")
    )
    gifts = _gift_sums(_gifts_in_window(campaign=campaign), "project_id")
    matches = _contributed(contributions.project_sums.collect(campaign))
    for p in projects:
        g, m = gifts.get(p.pk, {}), matches.get(p.pk, {})
        p.campaign_raised = (g.get("gifts") or 0) - (g.get("refunded") or 0)
        p.campaign_matched = m.get("matched") or 0
        p.campaign_donors = g.get("n") or 0
        p.campaign_total = p.campaign_raised + p.campaign_matched
    projects.sort(key=lambda p: (-p.campaign_total, p.title, p.pk))
    return projects[:limit] if limit else projects


def ticker(campaign, limit: int = 12) -> list[Donation]:
    """The latest gifts in the campaign, each with `campaign_matched`: its match when one
    was paid or released, else None (templates show public_name, which respects the
    anonymous choice). One query, and one per contribution (matching)."""
    gifts = list(
        _gifts_in_window(campaign=campaign)
        .filter(status__in=COUNTED)
        .select_related("donor", "project")
        .order_by("-paid_at")[:limit]
    )
    matched: dict = {}
    if gifts:
        for provided in contributions.gift_matches.collect(gifts):
            for pk, value in provided.items():
                matched[pk] = matched.get(pk, 0) + value
    for d in gifts:
        d.campaign_matched = matched.get(d.pk)
    return gifts


def pools_of(campaign, *, figures: bool = False) -> list:
    """The pools shown on the campaign (contributed by matching), with their figures for
    the pages."""
    return [pool for provided in contributions.pools.collect(campaign, figures=figures) for pool in provided]


def window_problems(campaign, window) -> list[str]:
    """Why a saved campaign may not take this new window (contributed by matching)."""
    return [problem for provided in contributions.window_problems.collect(campaign, window) for problem in provided]


def with_targets(applications, user) -> list[Application]:
    """The applications, each with `targets`: the statuses the user may move it to, from
    `states.APPLICATION` and their roles (their membership in its project's organisation,
    and staff). One query."""
    applications = list(applications)
    staff = {states.STAFF} if getattr(user, "is_staff", False) else set()
    roles: dict[int, str] = {}
    if applications and getattr(user, "is_authenticated", False):
        organisations = {a.project.organisation_id for a in applications}
        memberships = Membership.objects.filter(user=user, organisation_id__in=organisations)
        roles = dict(memberships.values_list("organisation_id", "role"))
    for application in applications:
        role = roles.get(application.project.organisation_id)
        held = staff | ({role} if role else set())
        targets = (t for r in sorted(held) for t in states.APPLICATION.targets(application.status, r))
        application.targets = list(dict.fromkeys(targets))
    return applications


def applications_waiting(campaign, user=None) -> list[Application]:
    """Applications waiting for staff to decide, each with the user's `targets`."""
    waiting = campaign.applications.filter(status=Application.Status.APPLIED)
    return with_targets(waiting.select_related("project__organisation", "applied_by"), user)


def applications_of(user, campaign) -> list[Application]:
    """The user's organisations' applications to this campaign, each with the user's `targets`."""
    mine = campaign.applications.filter(project__organisation__memberships__user=user)
    return with_targets(mine.select_related("project").distinct(), user)


def projects_to_apply(user, campaign) -> list[Project]:
    """The user's organisations' projects (where they are an owner or editor) that may still
    apply to the campaign: not closed, not already applied or accepted."""
    taken = campaign.applications.filter(status__in=(states.APPLIED, states.ACCEPTED)).values("project_id")
    return list(
        Project.objects.filter(organisation__memberships__user=user, organisation__memberships__role__in=states.MEMBERS)
        .exclude(status__in=CLOSED_PROJECTS).exclude(pk__in=taken).select_related("organisation").distinct()
    )
