"""Reads of projects. Figures are derived from the journal (the running totals the ledger
keeps) and from what other apps contribute (the donors), in a constant number of queries
however many projects are shown."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from jusha.projects import sql, states
from jusha.projects.contributions import card_figures
from jusha.projects.rules import gap, gift_refusal
from jusha.projects.models import Project, ProjectTotal
from jusha.projects.regions import region_label, region_prefix


# --- running totals (written by the ledger with each journal entry) -------------------

@dataclass(frozen=True)
class ProjectSums:
    gifts: int = 0
    refunds: int = 0
    spent: int = 0
    committed: int = 0  # set aside for delivery batches
    released: int = 0  # taken back from them as each batch's purchase is recorded
    matched: int = 0  # matched from sponsors' pools, net of matches returned to them
    fees: int = 0  # payment fees charged to the project, net of what providers gave back with refunds
    granted: int = 0  # granted to this project from a cause fund (jusha.funds), reported apart
    granted_out: int = 0  # granted out of this project (a cause fund's own project) to others

    # The one money model every page and answer tells (ledger, fund flow, project page,
    # API): gifts (raised) + matches (matched) = received; received - spent - fees =
    # balance, of which held_for_batches is set aside for delivery batches and the rest
    # is available. A sponsor's `settlement` moves cash the match already counted: it is
    # in none of these figures.

    @property
    def raised(self) -> int:
        """Paid gifts minus refunds (matching is reported apart)."""
        return self.gifts - self.refunds

    @property
    def toward_goal(self) -> int:
        """What counts against the goal: gifts raised and grants from a cause fund (a
        grant meets the need as a gift does); sponsors' matches never do."""
        return self.raised + self.granted

    @property
    def received(self) -> int:
        """All the project's money: gifts raised, sponsors' matches and cause-fund grants."""
        return self.raised + self.matched + self.granted

    @property
    def balance(self) -> int:
        """Received and not yet spent (nor taken in fees, nor granted on to other
        projects): held, including what is set aside for delivery batches."""
        return self.received - self.spent - self.fees - self.granted_out

    @property
    def held_for_batches(self) -> int:
        """Committed to delivery batches whose purchase is not recorded yet."""
        return self.committed - self.released

    @property
    def available(self) -> int:
        """Raised (and matched), not spent and not held for a batch: what refunds, expenditures and new
        batches may still draw on."""
        return self.balance - self.held_for_batches

    def figures(self) -> dict[str, int]:
        """The model as one dict, for the API and the pages (integers of minor units)."""
        return {"raised": self.raised, "matched": self.matched, "granted": self.granted, "granted_out": self.granted_out,
                "received": self.received, "spent": self.spent,
                "fees": self.fees, "balance": self.balance, "held_for_batches": self.held_for_batches,
                "available": self.available}


def project_sums(project_ids) -> dict[int, ProjectSums]:
    """One grouped query for any number of projects, over their sharded running totals
    (a few rows per project and kind, however many gifts it has; `ledger_check` proves
    them equal to the journal)."""
    project_ids = list(project_ids)
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        ProjectTotal.objects.filter(project_id__in=project_ids)
        .values_list("project_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for project_id, kind, total in rows:
        totals[project_id][kind] = total or 0
    return {pid: sums_from_totals(totals[pid]) for pid in project_ids}


def sums_from_totals(totals: dict[str, int]) -> ProjectSums:
    """A project's figures from its totals per kind (the sums of its shards): the one mapping
    of journal kinds to figures, for every reader of the totals (giving.sql too)."""
    return ProjectSums(
        gifts=totals.get("gift", 0), refunds=totals.get("refund", 0), spent=totals.get("expenditure", 0),
        committed=totals.get("commitment", 0), released=totals.get("release", 0),
        matched=totals.get("match", 0) - totals.get("match_return", 0), fees=totals.get("fee", 0) - totals.get("fee_return", 0),
        granted=totals.get("grant", 0), granted_out=totals.get("grant_out", 0),
    )


def project_with_sums(*, slug: str) -> tuple[Project | None, ProjectSums | None]:
    """A project by its slug, with its organisation, and its sums as `project_sums` reads
    them, in one statement (projects.sql): the gift path's read. (None, None) if no such slug."""
    project, totals = sql.project_with_totals(slug)
    return (project, sums_from_totals(totals)) if project is not None else (None, None)


def project_gap(project: Project) -> int:
    """What the project still needs: max(goal − raised − granted, 0), matched money excluded."""
    return gap(goal=project.goal, toward_goal=project_sums([project.pk])[project.pk].toward_goal)


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
    fundraising) and `accepting` attached, and the figures other apps contribute
    (`contributions.card_figures`: `donors`): two queries for any number of projects."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    sums = project_sums(ids) if ids else {}
    for p in projects:
        p.badges = []
    for figures in card_figures.collect(ids) if ids else ():
        for name, values in figures.items():
            for p in projects:
                if name == "badges":
                    p.badges.extend(values.get(p.pk, ()))
                else:
                    setattr(p, name, values[p.pk])
    now = now or timezone.now()
    for p in projects:
        p.raised = sums[p.pk].raised
        p.granted = sums[p.pk].granted
        p.gap = p.remaining = gap(goal=p.goal, toward_goal=sums[p.pk].toward_goal)
        p.percent = p.raised * 100 // p.goal if p.goal > 0 else 0
        p.bar = max(0, min(100, p.percent))
        fundraising = p.status == states.FUNDRAISING
        seconds = (p.ends_at - now).total_seconds()
        p.days_left = max(0, math.ceil(seconds / 86400)) if fundraising else None
        p.accepting = gift_refusal(
            status=p.status, ends_at=p.ends_at, raised=sums[p.pk].toward_goal, goal=p.goal, now=now
        ) is None
    return projects


def _total(kind: str):
    """A project's running total of one kind of journal entry, as a subquery over its shards."""
    total = (
        ProjectTotal.objects.filter(project=OuterRef("pk"), kind=kind)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0))


def _need():
    """goal − (gifts − refunds + grants), as an expression: a project's unmet need."""
    return F("goal") - _total(ProjectTotal.Kind.GIFT) + _total(ProjectTotal.Kind.REFUND) - _total(ProjectTotal.Kind.GRANT)


def _open_needs(*, now=None):
    """Public projects taking gifts now, each annotated with its unmet `need` (> 0)."""
    return (
        public_projects()
        .filter(status=states.FUNDRAISING, ends_at__gt=now or timezone.now(), pooled=False)
        .annotate(need=_need())
        .filter(need__gt=0)
    )


def project_alternatives(project: Project, *, limit: int = 5, now=None) -> list[Project]:
    """The cooler's list: projects still taking gifts that a donor who reached `project`
    (full, closed, or simply chosen) could give to instead. Most similar first — the same
    cause, then the same province, then the same organisation — and within each the
    largest unmet need, then the most urgent (fewest days left). Each comes as a card
    (`gap`, `days_left`, ...), never `project` itself."""
    province = (project.region_code or "")[:2]
    same = lambda condition: Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())  # noqa: E731
    projects = (
        _open_needs(now=now)
        .exclude(pk=project.pk)
        .annotate(
            same_cause=same(Q(cause=project.cause)),
            same_region=same(Q(region_code__startswith=province)) if province else Value(0, output_field=IntegerField()),
            same_org=same(Q(organisation_id=project.organisation_id)),
        )
        .order_by("-same_cause", "-same_region", "-same_org", "-need", "ends_at", "pk")
    )
    return project_cards(projects[:limit], now=now)


def alternative_out(project: Project, *, absolute=None) -> dict:
    """One alternative as the API and the 409 of a full project tell it (a card of
    `project_alternatives`)."""
    url = reverse("projects:detail", args=[project.slug])
    return {
        "slug": project.slug, "title": project.title, "gap": project.gap, "currency": project.currency,
        "ends_at": timezone.localtime(project.ends_at).isoformat(), "days_left": project.days_left,
        "cause": project.cause, "region": project.region_code, "region_name": region_label(project.region_code),
        "organisation": {"slug": project.organisation.slug, "name": project.organisation.name},
        "url": absolute(url) if absolute else url,
    }


def largest_unmet_needs(exclude_id=None, limit: int = 3, *, cause: str = "") -> list[Project]:
    """Projects still taking gifts, largest unmet need (goal − raised − granted) first: where
    a donor's money helps most once the project they chose is full (rational charity)."""
    projects = _open_needs().order_by("-need", "ends_at", "pk")
    if cause:
        projects = projects.filter(cause=cause)
    if exclude_id is not None:
        projects = projects.exclude(pk__in=exclude_id if isinstance(exclude_id, (list, set, tuple)) else [exclude_id])
    return project_cards(projects[:limit])


def unmet_needs(*, cause: str, currency: str, now=None) -> list[tuple[int, int]]:
    """(project id, unmet need) of every project of a cause still taking gifts in this
    currency, largest need first, then fewest days left (a cause fund's grant rule)."""
    return list(
        _open_needs(now=now).filter(cause=cause, currency=currency).order_by("-need", "ends_at", "pk").values_list("pk", "need")
    )


def most_needed(limit: int = 6, *, exclude=None) -> list[Project]:
    return largest_unmet_needs(exclude_id=list(exclude or ()), limit=limit)


def home_projects() -> dict:
    """The front page's two lists, never the same project twice: the featured ones, then
    the largest unmet needs among the rest (when every fundraising project is featured,
    the second list is left out rather than repeated)."""
    featured = project_cards(public_projects().filter(featured=True)[:6]) or project_cards(
        public_projects().filter(status=states.FUNDRAISING)[:6]
    )
    return {"featured": featured, "most_needed": most_needed(limit=3, exclude=[p.pk for p in featured])}


def organisation_projects(organisation) -> list[Project]:
    """An organisation's public projects, for its page."""
    return list(
        Project.objects.filter(organisation=organisation, status__in=states.PUBLIC).only(
            "slug", "title", "summary", "status", "organisation_id"
        )
    )


def projects_waiting_for_editors(organisation_ids) -> dict[int, list[Project]]:
    """Drafts and projects sent back for changes, by organisation, in one query."""
    waiting: dict[int, list[Project]] = defaultdict(list)
    if organisation_ids:
        for project in Project.objects.filter(organisation_id__in=organisation_ids, status__in=states.EDITABLE).only(
            "slug", "title", "status", "review_note", "organisation_id"
        ):
            waiting[project.organisation_id].append(project)
    return waiting


def projects_in_review() -> list[Project]:
    """Projects waiting for platform staff to review them, oldest first."""
    return list(
        Project.objects.filter(status=states.IN_REVIEW)
        .select_related("organisation")
        .only("slug", "title", "created_at", "organisation__slug", "organisation__name")
        .order_by("created_at")
    )
