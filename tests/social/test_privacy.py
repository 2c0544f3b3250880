"""Privacy by arithmetic: no figure hidden for resting on fewer than 3 gifts can be worked
out from the figures published beside it (the totals minus the shown figures), on the
relay page and API, the organisation's sharing dashboard, a link's figures for its owner
and a member's influence page. Property tests over random relay trees, then the same
through the real gift path and the pages."""

import itertools
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jusha.social import rules, schemas, selectors
from jusha.social.selectors import LinkFigures, MemberInfluence, RelaySummary
from tests.factories import make_member, make_project
from tests.social.conftest import give_via, guest, member, share

T = rules.PRIVACY_THRESHOLD


# --- random relay trees, in memory -------------------------------------------------------

@dataclass
class Node:
    parent: int | None
    gifts: list = field(default_factory=list)  # (amount, anonymous)
    depth: int = 1


@st.composite
def relay_trees(draw, max_links=10):
    """A relay: links each under an earlier one (or a root), each with a few gifts; small
    numbers of gifts are likely, so that small generations and links are common."""
    nodes = []
    for i in range(draw(st.integers(1, max_links))):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        gifts = draw(st.lists(st.tuples(st.integers(1, 5_000_000), st.booleans()), max_size=4))
        nodes.append(Node(parent, gifts, 1 if parent is None else nodes[parent].depth + 1))
    return nodes


def descendants(nodes, i):
    below = {i}
    for j, node in enumerate(nodes):  # parents come first
        if node.parent in below:
            below.add(j)
    return below


def summary_of(nodes) -> RelaySummary:
    """What selectors.relay_summary reads from the database, for an in-memory tree."""
    summary = RelaySummary()
    for node in nodes:
        row = summary.depths.setdefault(node.depth, {"links": 0, "opens": 0, "gifts": 0, "amount": 0})
        row["links"] += 1
        row["gifts"] += len(node.gifts)
        row["amount"] += sum(a for a, _anon in node.gifts)
    summary.depths = dict(sorted(summary.depths.items()))
    summary.links = len(nodes)
    summary.gifts = sum(len(n.gifts) for n in nodes)
    summary.amount = sum(a for n in nodes for a, _anon in n.gifts)
    summary.donors = summary.gifts
    return summary


def figures_of(nodes, i) -> LinkFigures:
    direct = nodes[i].gifts
    down = [g for j in descendants(nodes, i) for g in nodes[j].gifts]
    return LinkFigures(
        opens=0, donations=len(direct), amount=sum(a for a, _ in direct), anonymous=sum(an for _, an in direct),
        downstream_donations=len(down), downstream_amount=sum(a for a, _ in down),
        downstream_anonymous=sum(an for _, an in down),
    )


def link(depth=1):
    return SimpleNamespace(code="abcdefgh", depth=depth, project=SimpleNamespace(currency="CNY"))


# --- what an attacker can do with a published table --------------------------------------

def check_public_table(true_cells, published, total):
    """`true_cells`: (gifts, amount) per cell; `published`: (count, amount) per cell as
    shown; `total`: (count, amount) as shown. Subtraction is the only relation between
    them: the total minus the shown cells gives back the hidden group's gifts and amount.
    That group must rest on at least T gifts (or on none), and a cell of T or more gifts
    is hidden only to protect a small one, at most one per table."""
    hidden = [i for i, (count, amount) in enumerate(published) if amount is None]
    shown = [i for i in range(len(published)) if i not in hidden]
    group_gifts = sum(true_cells[i][0] for i in hidden)
    for i in shown:  # shown figures are exact
        assert published[i] == true_cells[i]
    for i in hidden:  # a hidden cell hides its count too, or says only "fewer than 3"
        assert published[i][0] in (rules.FEWER, None)
        assert (published[i][0] == rules.FEWER) == (true_cells[i][0] < T)
    if total[1] is not None:
        derived_amount = total[1] - sum(published[i][1] for i in shown)
        assert derived_amount == sum(true_cells[i][1] for i in hidden)
        assert group_gifts == 0 or group_gifts >= T, (true_cells, published, total)
        assert total[0] - sum(published[i][0] for i in shown) == group_gifts
    else:
        assert sum(g for g, _a in true_cells) < T and total[0] == rules.FEWER
    secondary = [i for i in hidden if true_cells[i][0] >= T]
    assert len(secondary) <= 1
    if not any(0 < g < T for g, _a in true_cells):  # no small cell: nothing hidden that need not be
        assert secondary == []


def check_owner_link(figures: LinkFigures, out: dict):
    """A link's owner sees both counts, the direct amount and the downstream amount: the
    gifts below the link are downstream minus direct. No amount the owner may not see
    (fewer than 3 gifts, one of them anonymous) can come out of that subtraction."""
    direct = rules.Cell(figures.donations, figures.amount, figures.anonymous)
    below = rules.Cell(
        figures.downstream_donations - figures.donations, figures.downstream_amount - figures.amount,
        figures.downstream_anonymous - figures.anonymous,
    )
    downstream = rules.Cell(figures.downstream_donations, figures.downstream_amount, figures.downstream_anonymous)
    assert out["donations"] == direct.gifts and out["downstream_donations"] == downstream.gifts
    assert out["amount"] in (None, direct.amount) and out["downstream_amount"] in (None, downstream.amount)
    for cell, shown in ((direct, out["amount"]), (downstream, out["downstream_amount"])):
        if rules.is_small_for_owner(cell):
            assert shown is None
    if out["amount"] is not None and out["downstream_amount"] is not None:
        assert not rules.is_small_for_owner(below), (figures, out)
    if not rules.is_small_for_owner(below) and not rules.is_small_for_owner(direct):
        assert out["amount"] == direct.amount  # nothing to protect: nothing hidden
    if not rules.is_small_for_owner(downstream):
        assert out["downstream_amount"] == downstream.amount


# --- the rules, over random cells and trees -----------------------------------------------

@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 10**7)), max_size=8))
def test_no_hidden_cell_can_be_subtracted_out_of_a_table(raw):
    cells = [(g, a if g else 0) for g, a in raw]
    total_gifts = sum(g for g, _a in cells)
    total = (rules.public_count(total_gifts), rules.public_amount(total_gifts, sum(a for _g, a in cells)))
    check_public_table(cells, rules.public_cells(cells), total)


@given(relay_trees())
@settings(max_examples=300)
def test_relay_generations_never_give_back_a_small_one(nodes):
    summary = summary_of(nodes)
    public = selectors.public_relay(summary)
    true_cells = [(row["gifts"], row["amount"]) for row in summary.depths.values()]
    published = [(row["donations"], row["amount"]) for row in public["depths"]]
    check_public_table(true_cells, published, (public["donations"], public["amount"]))
    assert [row["links"] for row in public["depths"]] == [row["links"] for row in summary.depths.values()]


@given(relay_trees())
@settings(max_examples=200)
def test_a_links_owner_cannot_subtract_out_a_few_anonymous_gifts(nodes):
    for i, node in enumerate(nodes):
        figures = figures_of(nodes, i)
        check_owner_link(figures, schemas.figures_out(link(node.depth), figures))


@given(st.lists(relay_trees(max_links=5), min_size=1, max_size=4), st.data())
@settings(max_examples=200)
def test_a_members_total_never_gives_back_a_hidden_link(trees, data):
    """A member holds one link in each of several relays; each link's downstream amount is
    on its own page, their sum on the influence page."""
    figures = [figures_of(nodes, data.draw(st.integers(0, len(nodes) - 1))) for nodes in trees]
    influence = MemberInfluence(links=[SimpleNamespace(figures=f) for f in figures])
    shown = [schemas.figures_out(link(), f)["downstream_amount"] for f in figures]
    total = influence.inspired_amount_shown
    cells = [rules.Cell(f.downstream_donations, f.downstream_amount, f.downstream_anonymous) for f in figures]
    everything = rules.Cell(sum(c.gifts for c in cells), sum(c.amount for c in cells), sum(c.anonymous for c in cells))
    if rules.is_small_for_owner(everything):
        assert total is None
    if total is not None:
        assert total == everything.amount
        hidden = [c for c, s in zip(cells, shown) if s is None]
        group = rules.Cell(
            sum(c.gifts for c in hidden), sum(c.amount for c in hidden), sum(c.anonymous for c in hidden)
        )
        assert total - sum(s for s in shown if s is not None) == group.amount
        assert not rules.is_small_for_owner(group)
    elif not any(rules.is_small_for_owner(c) for c in cells):
        assert rules.is_small_for_owner(everything)  # hidden only for its own sake


def test_suppression_examples():
    # generation 2 alone is small: the smallest other non-empty generation goes with it
    assert rules.suppressed_cells([(3, 6000), (1, 1234)]) == {0, 1}
    assert rules.suppressed_cells([(5, 1), (1, 1), (4, 1), (0, 0)]) == {1, 2}
    # two small ones together rest on 3 gifts: nothing else is needed
    assert rules.suppressed_cells([(9, 1), (1, 1), (2, 1)]) == {1, 2}
    assert rules.suppressed_cells([(3, 1), (0, 0), (7, 1)]) == set()
    assert rules.suppressed_cells([(1, 1)]) == {0}  # the total is hidden on its own (1 gift)
    assert rules.suppressed_cells([]) == set()
    assert rules.public_cells([(3, 6000), (1, 1234), (0, 0)]) == [(None, None), ("<3", None), ("<3", None)]
    # the owner's table: the gifts below a link are a cell even though never shown alone
    assert rules.owner_figures(rules.Cell(3, 6000), rules.Cell(4, 7234, 1)) == (None, 7234)
    assert rules.owner_figures(rules.Cell(3, 6000), rules.Cell(4, 7234, 0)) == (6000, 7234)
    assert rules.owner_figures(rules.Cell(1, 1234, 1), rules.Cell(1, 1234, 1)) == (None, None)
    assert rules.owner_figures(rules.Cell(1, 1234, 1), rules.Cell(6, 9234, 1)) == (None, 9234)
    assert rules.owner_total([rules.Cell(5, 5000), rules.Cell(1, 1234, 1)]) is None
    assert rules.owner_total([rules.Cell(5, 5000), rules.Cell(1, 1234, 1), rules.Cell(2, 100, 2)]) == 6334


# --- through the real gift path ------------------------------------------------------------

def yuan_on(html: str) -> list[Decimal]:
    return [Decimal(v.replace(",", "")) for v in re.findall(r"¥(-?[\d,]+\.\d\d)", html)]


def derivable(values, target) -> bool:
    """Can `target` be had as one published figure minus the sum of some others?"""
    for total in values:
        rest = list(values)
        rest.remove(total)
        for n in range(len(rest) + 1):
            if any(total - sum(combo) == target for combo in itertools.combinations(rest, n)):
                return True
    return False


@pytest.mark.django_db
def test_one_gift_of_12_34_in_generation_2_cannot_be_read_off_the_relay(client, project, sharer):
    """The issue's case: three gifts through a root link, one anonymous gift of ¥12.34 through
    the link passed on from it. Before, total ¥72.34 minus generation 1's ¥60.00 gave it."""
    root = share(project, member(sharer))
    for amount in (1000, 2000, 3000):
        give_via(project, root.code, amount)
    child = share(project, guest("friend"), via=root.code)
    assert child.depth == 2
    give_via(project, child.code, 1234, anonymous=True)

    body = client.get(f"/api/v1/projects/{project.slug}/relay").json()
    assert body["donations"] == 4 and body["amount"] == 7234
    assert body["depths"] == [
        {"depth": 1, "links": 1, "opens": 0, "donations": None, "amount": None},
        {"depth": 2, "links": 1, "opens": 0, "donations": "<3", "amount": None},
    ]
    numbers = [v for v in (body["amount"], *(row["amount"] for row in body["depths"])) if v is not None]
    assert not derivable(numbers, 1234) and 1234 not in numbers

    for page in (f"/s/relay/{project.slug}/",):
        html = Client().get(page).content.decode()
        assert "¥72.34" in html and "¥12.34" not in html and "¥60.00" not in html
        assert not derivable(yuan_on(html), Decimal("12.34"))

    staff = make_member(project.organisation, role="editor")
    browser = Client()
    browser.force_login(staff)
    html = browser.get(f"/s/dashboard/{project.slug}/").content.decode()
    assert "¥72.34" in html and not derivable(yuan_on(html), Decimal("12.34"))

    # The root's sharer sees every count: 3 through their link, 4 in all. Their direct
    # amount would give back the anonymous ¥12.34 below them: it is hidden.
    owner = Client()
    owner.force_login(sharer)
    for page in (f"/s/relay/{project.slug}/", f"/s/share/{project.slug}/", "/s/me/"):
        html = owner.get(page).content.decode()
        assert "¥12.34" not in html and not derivable(yuan_on(html), Decimal("12.34")), page
    from tests.social.test_api import bearer

    mine = client.get(f"/api/v1/share-links/{root.code}", **bearer(sharer)).json()
    figures = (mine["donations"], mine["amount"], mine["downstream_donations"], mine["downstream_amount"])
    assert figures == (3, None, 4, 7234)


@pytest.mark.django_db
def test_members_total_hidden_when_it_would_give_back_one_links_anonymous_gift(sharer):
    big, small = make_project(), make_project()
    for amount in (1000, 2000, 3000):
        give_via(big, share(big, member(sharer)).code, amount)
    give_via(small, share(small, member(sharer)).code, 1234, anonymous=True)
    influence = selectors.member_influence(sharer)
    assert influence.inspired_amount == 7234  # exact in the selector, for callers that may see it
    assert influence.inspired_amount_shown is None
    browser = Client()
    browser.force_login(sharer)
    html = browser.get("/s/me/").content.decode()
    assert "¥60.00" in html and "¥72.34" not in html and not derivable(yuan_on(html), Decimal("12.34"))


@pytest.mark.django_db
@given(relay_trees(max_links=5))
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_random_relays_through_the_gift_path_and_the_api(client, db, nodes):
    """Random relays built with the services (links passed on, gifts paid through the
    sandbox), read back through the API: the relay's table and each link's owner figures."""
    nodes = [Node(n.parent, n.gifts[:2], n.depth) for n in nodes]  # at most 2 gifts a link: quicker
    project = make_project(goal=10**9)
    links = []
    for node in nodes:
        via = links[node.parent].code if node.parent is not None else ""
        link_ = share(project, guest(f"sharer-{uuid.uuid4()}"), via=via)
        assert link_.depth == node.depth
        links.append(link_)
        for amount, anonymous in node.gifts:
            give_via(project, link_.code, amount // 100 + 100, anonymous=anonymous)
    nodes = [Node(n.parent, [(a // 100 + 100, an) for a, an in n.gifts], n.depth) for n in nodes]
    summary = summary_of(nodes)

    body = client.get(f"/api/v1/projects/{project.slug}/relay").json()
    true_cells = [(row["gifts"], row["amount"]) for row in summary.depths.values()]
    assert [row["depth"] for row in body["depths"]] == list(summary.depths)
    check_public_table(true_cells, [(r["donations"], r["amount"]) for r in body["depths"]],
                       (body["donations"], body["amount"]))
    for i, link_ in enumerate(links):
        figures = selectors.link_figures(link_)
        assert figures == figures_of(nodes, i)
        check_owner_link(figures, schemas.figures_out(link_, figures))
