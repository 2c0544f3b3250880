"""Where the money went, as a picture: donors (by gift size) → projects → budget lines →
expenditures, for one project or the whole platform. Read from the gifts, refunds and
expenditures the journal records; a table carries the same flows for screen readers.
It lives in giving, which sits above projects and the ledger; transparency draws the
picture (sankey.layout) and knows no domain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.conf import settings
from django.db.models import BigIntegerField, Case, F, Sum, When
from django.utils.translation import gettext as _

from jusha.core import moments
from jusha.core.money import Money
from jusha.giving.models import Donation
from jusha.ledger.models import Expenditure
from jusha.projects.models import BudgetLine, Project
from jusha.projects.selectors import ProjectSums, project_sums
from jusha.projects.visibility import public_q
from jusha.transparency import sankey

PAID = ("paid", "partially_refunded", "refunded")
BANDS = [(0, 10_000), (10_000, 100_000), (100_000, None)]  # minor units: under 100, 100 to 1,000, 1,000 and more (yuan)
TOP_PROJECTS = 8
TOP_LINES = 12
TOP_EXPENDITURES = 12


@dataclass
class Flow:
    layout: sankey.Layout
    rows: list[dict]
    total: int
    currency: str
    projects: list[tuple[str, str]]  # (slug, title) of the projects drawn one by one
    sums: ProjectSums = field(default_factory=ProjectSums)  # the money model's figures, all projects drawn added up


def _band_label(low: int, high: int | None, currency: str) -> str:
    def shown(fen: int) -> str:
        return Money(fen, currency).display(short=True)

    if high is None:
        return _("Gifts of %(low)s or more") % {"low": shown(low)}
    if not low:
        return _("Gifts under %(high)s") % {"high": shown(high)}
    return _("Gifts of %(low)s to %(high)s") % {"low": shown(low), "high": shown(high)}


def _net_by_band(projects) -> dict[int, list[int]]:
    """project id -> [net gifts (paid minus refunded) per band], one grouped query."""
    net = F("amount") - F("refunded_amount")
    bands = {
        f"b{i}": Sum(Case(When(amount__gte=low, **({"amount__lt": high} if high else {}), then=net),
                          default=0, output_field=BigIntegerField()))
        for i, (low, high) in enumerate(BANDS)
    }
    rows = Donation.objects.filter(status__in=PAID, project__in=projects).values("project_id").annotate(**bands).order_by()
    return {row["project_id"]: [row[f"b{i}"] or 0 for i in range(len(BANDS))] for row in rows}


def fund_flow(*, project: Project | None = None) -> Flow:
    currency = project.currency if project is not None else settings.JUSHA_DEFAULT_CURRENCY
    projects = Project.objects.filter(public_q())
    if project is not None:
        projects = projects.filter(pk=project.pk)
    expenditures = Expenditure.objects.filter(project__in=projects)
    gifts = _net_by_band(projects)
    raised = {pid: sum(bands) for pid, bands in gifts.items()}
    # Sponsors' matches (net of what went back to their pools), from the journal's totals:
    # the same money the log's match and match_return facts carry.
    all_sums = project_sums(list(projects.values_list("pk", flat=True)))
    # Cause funds' grants (jusha.funds): into the projects they went to, out of the funds' own projects.
    granted = {pid: s.granted for pid, s in all_sums.items() if s.granted > 0}
    granted_out = {pid: s.granted_out for pid, s in all_sums.items() if s.granted_out > 0}
    for pid in set(granted) | set(granted_out):
        raised.setdefault(pid, 0)
        gifts.setdefault(pid, [0] * len(BANDS))
    sums = {pid: all_sums.get(pid, ProjectSums()) for pid in raised}
    matched = {pid: sums[pid].matched for pid in raised if sums[pid].matched > 0}
    spent = dict(expenditures.values_list("budget_line_id").annotate(total=Sum("amount")).order_by())
    top = sorted(raised, key=lambda pid: (-raised[pid] - matched.get(pid, 0) - granted.get(pid, 0), pid))[:TOP_PROJECTS]
    drawn_projects = {pk: (slug, title) for pk, slug, title in projects.filter(pk__in=top).values_list("pk", "slug", "title")}
    titles = {pk: title for pk, (_slug, title) in drawn_projects.items()}
    other_project, other_line, held, other_spending = ("project", "other"), ("line", "other"), ("held",), ("exp", "other")

    def project_key(pid):
        return ("project", pid) if pid in titles else other_project

    # Donors (by gift size) -> projects.
    nodes, links = [], defaultdict(int)
    for i, (low, high) in enumerate(BANDS):
        nodes.append((("band", i), _band_label(low, high, currency), 0))
        for pid, bands in gifts.items():
            links[(("band", i), project_key(pid))] += bands[i]
    if matched:
        nodes.append((("matched",), _("Matched by sponsors"), 0))
        for pid, value in matched.items():
            links[(("matched",), project_key(pid))] += value
    if granted:
        nodes.append((("granted",), _("Granted from cause funds"), 0))
        for pid, value in granted.items():
            links[(("granted",), project_key(pid))] += value
    nodes += [(("project", pid), titles[pid], 1) for pid in top] + [(other_project, _("Other projects"), 1)]

    # Projects -> budget lines (what was spent on each), and what is held, not yet spent.
    lines = sorted(BudgetLine.objects.filter(pk__in=list(spent)).values_list("pk", "project_id", "title"),
                   key=lambda line: (-spent[line[0]], line[0]))
    drawn_lines = {pk: (pid, title) for pk, pid, title in lines[:TOP_LINES] if pid in titles}
    spent_by_project = defaultdict(int)
    for pk, pid, _title in lines:
        links[(project_key(pid), ("line", pk) if pk in drawn_lines else other_line)] += spent[pk]
        spent_by_project[project_key(pid)] += spent[pk]
    raised_by_project = defaultdict(int)
    for pid, value in raised.items():
        raised_by_project[project_key(pid)] += value + matched.get(pid, 0) + granted.get(pid, 0) - sums[pid].fees - granted_out.get(pid, 0)
    for pid, value in granted_out.items():
        links[(project_key(pid), ("granted_out",))] += value
    for key, value in raised_by_project.items():
        links[(key, held)] += max(0, value - spent_by_project[key])
    for pk, (pid, title) in drawn_lines.items():
        nodes.append((("line", pk), title if project is not None else f"{titles[pid]} · {title}", 2))
    nodes += [(other_line, _("Other budget lines"), 2), (held, _("Held, not yet spent"), 2)]
    if granted_out:
        nodes.append((("granted_out",), _("Granted on to projects of the cause"), 2))

    # Budget lines -> the largest expenditures one by one, the rest together.
    largest = list(expenditures.order_by("-amount", "pk")
                   .values_list("pk", "budget_line_id", "amount", "description", "spent_on")[:TOP_EXPENDITURES])
    for pk, line_id, amount, description, spent_on in largest:
        nodes.append((("exp", pk), f"{description[:40]} ({moments.day(spent_on)})", 3))
        links[(("line", line_id) if line_id in drawn_lines else other_line, ("exp", pk))] += amount
    rest = expenditures.exclude(pk__in=[row[0] for row in largest]).values_list("budget_line_id")
    for line_id, total in rest.annotate(total=Sum("amount")).order_by():
        links[(("line", line_id) if line_id in drawn_lines else other_line, other_spending)] += total
    nodes.append((other_spending, _("Other expenditures"), 3))

    drawn = sankey.layout(nodes, [(source, target, value) for (source, target), value in links.items()])
    rows = [{"source": link.source.label, "target": link.target.label, "amount": link.value,
             "display": Money(link.value, currency).display()}
            for link in sorted(drawn.links, key=lambda link: (link.source.column, -link.value))]
    together = ProjectSums(**{f.name: sum(getattr(s, f.name) for s in all_sums.values()) for f in fields(ProjectSums)})
    return Flow(drawn, rows, sum(raised.values()), currency, [drawn_projects[pk] for pk in top], together)
