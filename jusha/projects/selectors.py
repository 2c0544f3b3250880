"""Reads of projects. Figures are derived from the journal and the gifts, in a constant
number of queries however many projects are shown."""

from __future__ import annotations

import math

from django.db.models import BigIntegerField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jusha.projects import states
from jusha.projects.rules import gift_refusal
from jusha.projects.models import Project
from jusha.projects.regions import region_prefix


def is_public(project: Project) -> bool:
    """Anyone may see a project once it is published; a cancelled one stays visible
    (with its ledger and refunds) if it ever raised money in public."""
    return project.status in states.PUBLIC or (project.status == states.CANCELLED and project.published_at is not None)


def public_projects():
    """Projects listed to the public: fundraising, funded, executing, completed."""
    return Project.objects.filter(status__in=states.PUBLIC).select_related("organisation")


def project_search(*, cause: str = "", region: str = "", status: str = "", q: str = ""):
    """Public projects filtered by cause, region (a province matches everything in it),
    status, and words in the title or summary."""
    projects = public_projects()
    if cause:
        projects = projects.filter(cause=cause)
    if region:
        prefix = region_prefix(region)
        projects = projects.filter(region_code__startswith=prefix) if prefix else projects.none()
    if status:
        projects = projects.filter(status=status) if status in states.PUBLIC else projects.none()
    if q := (q or "").strip():
        projects = projects.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return projects


def project_cards(projects, *, now=None) -> list[Project]:
    """The projects as a list, each with `raised`, `donors`, `remaining`, `percent` (of
    the goal, floored), `bar` (percent capped to 0..100), `days_left` (None unless
    fundraising) and `accepting` attached: two queries for any number of projects."""
    from jusha.giving.selectors import donor_counts
    from jusha.ledger.selectors import project_sums

    projects = list(projects)
    ids = [p.pk for p in projects]
    sums = project_sums(ids) if ids else {}
    donors = donor_counts(ids) if ids else {}
    now = now or timezone.now()
    for p in projects:
        p.raised = sums[p.pk].raised
        p.donors = donors[p.pk]
        p.remaining = max(p.goal - p.raised, 0)
        p.percent = p.raised * 100 // p.goal if p.goal > 0 else 0
        p.bar = max(0, min(100, p.percent))
        fundraising = p.status == states.FUNDRAISING
        seconds = (p.ends_at - now).total_seconds()
        p.days_left = max(0, math.ceil(seconds / 86400)) if fundraising else None
        p.accepting = gift_refusal(status=p.status, ends_at=p.ends_at, raised=p.raised, goal=p.goal, now=now) is None
    return projects


def _journal_total(kind: str):
    from jusha.ledger.models import JournalEntry

    total = (
        JournalEntry.objects.filter(project=OuterRef("pk"), kind=kind)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0))


def largest_unmet_needs(exclude_id=None, limit: int = 3) -> list[Project]:
    """Projects still taking gifts, largest unmet need (goal − raised) first: where a
    donor's money helps most once the project they chose is full (rational charity)."""
    projects = (
        public_projects()
        .filter(status=states.FUNDRAISING, ends_at__gt=timezone.now())
        .annotate(need=F("goal") - _journal_total("gift") + _journal_total("refund"))
        .filter(need__gt=0)
        .order_by("-need", "ends_at", "pk")
    )
    if exclude_id is not None:
        projects = projects.exclude(pk=exclude_id)
    return project_cards(projects[:limit])


def most_needed(limit: int = 6) -> list[Project]:
    return largest_unmet_needs(limit=limit)


def home_projects() -> dict:
    featured = project_cards(public_projects().filter(featured=True)[:6]) or project_cards(
        public_projects().filter(status=states.FUNDRAISING)[:6]
    )
    return {"featured": featured, "most_needed": most_needed(limit=3)}
