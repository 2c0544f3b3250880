"""Reads of share links and the relay. Every figure is an aggregate over indexed rows
(depth and the closure table are stored), in a constant number of queries however large
the relay grows. Figures here are exact: callers showing them to anyone but a link's
owner pass them through the privacy rules (see `public_relay`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from jusha.social import rules
from jusha.social.models import Attribution, RelayPath, ShareLink, ShareOpen
from jusha.social.states import ACTIVE

TREE_LIMIT = 150  # links drawn in a relay picture
BADGES = 24


def link_by_code(code: str) -> ShareLink | None:
    if not rules.is_code(code):
        return None
    return ShareLink.objects.select_related("project__organisation").filter(code=code).first()


def link_of(project, visitor) -> ShareLink | None:
    """The visitor's own link for the project (a member's, else this browser's), or None."""
    if visitor.member:
        return ShareLink.objects.filter(project=project, owner=visitor.member).first()
    if visitor.sharer:
        return ShareLink.objects.filter(project=project, session_digest=visitor.sharer).first()
    return None


def links_of_sharer(link: ShareLink):
    """All links of the same sharer (a member's across projects; a guest link alone)."""
    if link.owner_id:
        return ShareLink.objects.filter(owner_id=link.owner_id)
    return ShareLink.objects.filter(pk=link.pk)


@dataclass(frozen=True)
class LinkFigures:
    opens: int = 0
    donations: int = 0
    amount: int = 0
    anonymous: int = 0
    downstream_donations: int = 0  # through this link or any link below it (direct ones included)
    downstream_amount: int = 0
    downstream_anonymous: int = 0


def _figures(direct: dict, down: dict, opens: int) -> LinkFigures:
    return LinkFigures(
        opens=opens,
        donations=direct.get("n") or 0, amount=direct.get("total") or 0, anonymous=direct.get("anon") or 0,
        downstream_donations=down.get("n") or 0, downstream_amount=down.get("total") or 0,
        downstream_anonymous=down.get("anon") or 0,
    )


def link_figures(link: ShareLink) -> LinkFigures:
    """What one link set in motion, for its owner: one query."""
    mine = Q(link=link)
    row = Attribution.objects.filter(
        counted=True, link__in=RelayPath.objects.filter(ancestor=link).values("descendant")
    ).aggregate(
        direct_n=Count("link", filter=mine), direct_sum=Sum("amount", filter=mine),
        direct_anon=Count("link", filter=mine & Q(anonymous=True)),
        down_n=Count("link"), down_sum=Sum("amount"), down_anon=Count("link", filter=Q(anonymous=True)),
    )
    direct = {"n": row["direct_n"], "total": row["direct_sum"], "anon": row["direct_anon"]}
    down = {"n": row["down_n"], "total": row["down_sum"], "anon": row["down_anon"]}
    return _figures(direct, down, link.opens)


@dataclass
class RelaySummary:
    """A project's relay, exact. `depths`: generation -> {links, opens, gifts, amount}."""

    links: int = 0
    lit: int = 0
    opens: int = 0
    gifts: int = 0
    amount: int = 0
    donors: int = 0
    branching: rules.Branching = field(default_factory=lambda: rules.Branching(0, 0, 0))
    depths: dict[int, dict] = field(default_factory=dict)

    @property
    def max_depth(self) -> int:
        return max((d for d, row in self.depths.items() if row["links"] or row["gifts"]), default=0)

    @property
    def k(self) -> float:
        return rules.viral_k(self.donors, self.links)

    @property
    def conversion(self) -> float | None:
        return rules.conversion_rate(self.gifts, self.opens)


def relay_summary(project) -> RelaySummary:
    """The project's relay tree in figures: five aggregate queries."""
    summary = RelaySummary()
    links = ShareLink.objects.filter(project=project)

    def depth(d: int) -> dict:
        return summary.depths.setdefault(d, {"links": 0, "opens": 0, "gifts": 0, "amount": 0})

    for row in links.values("depth").annotate(n=Count("pk"), opens=Sum("opens"), lit=Count("lit_at")).order_by():
        depth(row["depth"]).update(links=row["n"], opens=row["opens"] or 0)
        summary.links += row["n"]
        summary.opens += row["opens"] or 0
        summary.lit += row["lit"]
    gifts = Attribution.objects.filter(project=project, counted=True)
    for row in gifts.values("depth").annotate(n=Count("*"), total=Sum("amount")).order_by():
        depth(row["depth"]).update(gifts=row["n"], amount=row["total"] or 0)
        summary.gifts += row["n"]
        summary.amount += row["total"] or 0
    summary.donors = gifts.aggregate(n=Count("donor_key", distinct=True))["n"] or 0
    parents = links.aggregate(n=Count("parent", distinct=True))["n"] or 0
    widest = (
        links.filter(parent__isnull=False).values("parent").annotate(n=Count("pk")).order_by("-n")
        .values_list("n", flat=True).first()
    )
    roots = summary.depths.get(1, {}).get("links", 0)  # a link has a parent exactly when its depth is above 1
    summary.branching = rules.Branching(parents, summary.links - roots, widest or 0)
    summary.depths = dict(sorted(summary.depths.items()))
    return summary


def public_relay(summary: RelaySummary) -> dict:
    """The relay as anyone but a link's owner may see it: figures resting on fewer than
    three gifts (or donors) become "fewer than 3", and amounts behind them are hidden.
    The generations are published beside the relay's totals, so a generation beside a
    hidden one is hidden too (None) whenever the totals minus the shown generations would
    give back fewer than three gifts (rules.public_cells)."""
    generations = rules.public_cells([(row["gifts"], row["amount"]) for row in summary.depths.values()])
    return {
        "links": summary.links,
        "sharers": summary.links,
        "lit": summary.lit,
        "opens": summary.opens,
        "donations": rules.public_count(summary.gifts),
        "amount": rules.public_amount(summary.gifts, summary.amount),
        "donors": rules.public_count(summary.donors),
        "k": rules.public_ratio(summary.k, summary.donors),
        "conversion_rate": rules.public_ratio(summary.conversion, summary.gifts),
        "max_depth": summary.max_depth,
        "branching": {
            "links_with_children": summary.branching.parents,
            "mean_children": summary.branching.mean,
            "max_children": summary.branching.widest,
        },
        "depths": [
            {
                "depth": d,
                "links": row["links"],
                "opens": row["opens"],
                "donations": donations,
                "amount": amount,
            }
            for (d, row), (donations, amount) in zip(summary.depths.items(), generations)
        ],
    }


def relay_tree_nodes(project, *, focus: ShareLink | None = None, limit: int = TREE_LIMIT) -> list[dict]:
    """The links a relay picture draws: the project's first `limit` links (a parent is
    always older than its children, so these form whole chains from their roots), plus
    the focus link's own chain and its first children."""
    fields = ("pk", "parent_id", "depth", "lit_at", "state")
    nodes = {row["pk"]: row for row in ShareLink.objects.filter(project=project).order_by("pk").values(*fields)[:limit]}
    if focus is not None and focus.pk not in nodes:
        chain = ShareLink.objects.filter(
            Q(pk__in=RelayPath.objects.filter(descendant=focus).values("ancestor")) | Q(parent=focus)
        ).order_by("pk").values(*fields)[: rules.MAX_DEPTH + 20]
        nodes.update({row["pk"]: row for row in chain})
    return list(nodes.values())


def relay_badges(project, limit: int = BADGES):
    """The latest lit relays: a name only where the sharer chose to show one."""
    return (
        ShareLink.objects.filter(project=project, lit_at__isnull=False, state=ACTIVE)
        .order_by("-lit_at").values("code", "shown_name", "lit_at", "depth")[:limit]
    )


@dataclass
class MemberInfluence:
    links: list = field(default_factory=list)  # the member's links, each with `.figures`
    reached: int = 0  # distinct visitors who opened any of their links
    inspired: int = 0  # gifts set in motion: through their links and every link below them
    inspired_amount: int = 0
    inspired_anonymous: int = 0

    @property
    def inspired_amount_shown(self) -> int | None:
        """The amount given through all their relays, as the member may see it: hidden when
        it, minus the amounts shown per link, would give back a few anonymous gifts."""
        return rules.owner_total(
            rules.Cell(link.figures.downstream_donations, link.figures.downstream_amount,
                       link.figures.downstream_anonymous)
            for link in self.links
        )


def member_influence(user) -> MemberInfluence:
    """A member's own figures across their links: four queries."""
    links = list(ShareLink.objects.filter(owner=user).select_related("project").order_by("-created_at"))
    ids = [link.pk for link in links]
    influence = MemberInfluence(links=links)
    if not ids:
        return influence
    counted = Attribution.objects.filter(counted=True)
    sums = {"n": Count("link"), "total": Sum("amount"), "anon": Count("link", filter=Q(anonymous=True))}
    direct = {row["link"]: row for row in counted.filter(link_id__in=ids).values("link").annotate(**sums).order_by()}
    down = {
        row["root"]: row
        for row in counted.filter(link__ancestry__ancestor_id__in=ids)
        .values(root=F("link__ancestry__ancestor_id")).annotate(**sums).order_by()
    }
    visits = ShareOpen.objects.filter(link_id__in=ids)
    reached = dict(visits.values_list("link").annotate(n=Count("visitor", distinct=True)).order_by())
    for link in links:
        link.figures = _figures(direct.get(link.pk, {}), down.get(link.pk, {}), link.opens)
        link.reached = reached.get(link.pk, 0)
        influence.inspired += link.figures.downstream_donations
        influence.inspired_amount += link.figures.downstream_amount
        influence.inspired_anonymous += link.figures.downstream_anonymous
    influence.reached = visits.aggregate(n=Count("visitor", distinct=True))["n"]
    return influence

