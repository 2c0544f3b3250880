"""Pure rules: codes, the privacy threshold, K and conversion, bots, attribution, pictures."""

import pytest

from jusha.social import charts, rules
from jusha.social.posters import qr_path, wrap


def test_codes_are_short_unambiguous_and_checked():
    codes = {rules.new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(rules.is_code(code) and len(code) == 8 for code in codes)
    assert not any(set(code) & set("01ilo") for code in codes)
    for bad in ["", "abc", "abcdefgh1", "ABCDEFGH", "abcdefg0", "abcd efg", "../../..", None, 12345678, "abcdefgh\n"]:
        assert not rules.is_code(bad), bad


@pytest.mark.parametrize("gifts, shown", [(0, "<3"), (1, "<3"), (2, "<3"), (3, 3), (40, 40)])
def test_counts_under_three_gifts_are_fewer_than_three(gifts, shown):
    assert rules.public_count(gifts) == shown
    assert rules.public_amount(gifts, 1234) == (1234 if gifts >= 3 else None)


def test_owner_sees_amounts_unless_few_anonymous_gifts():
    assert rules.owner_amount(1, 500, anonymous=0) == 500  # the donor chose to be shown
    assert rules.owner_amount(2, 900, anonymous=1) is None
    assert rules.owner_amount(3, 900, anonymous=3) == 900
    assert rules.owner_amount(0, 0, anonymous=0) == 0


def test_ratios_hidden_below_three():
    assert rules.public_ratio(0.5, 2) is None
    assert rules.public_ratio(0.5, 3) == 0.5


def test_viral_k_is_new_donors_per_sharer():
    assert rules.viral_k(0, 0) == 0.0
    assert rules.viral_k(3, 2) == 1.5
    assert rules.viral_k(1, 3) == 0.333


def test_conversion_rate():
    assert rules.conversion_rate(0, 0) is None
    assert rules.conversion_rate(1, 4) == 0.25


def test_branching_mean_over_links_with_children():
    assert rules.Branching(0, 0, 0).mean == 0.0
    assert rules.Branching(parents=2, children=5, widest=4).mean == 2.5


@pytest.mark.parametrize("agent", [
    "", "Mozilla", "Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.31",
    "facebookexternalhit/1.1", "TelegramBot (like TwitterBot)", "WhatsApp/2.23.20.0 A",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
])
def test_bots_and_previewers_look_like_bots(agent):
    assert rules.looks_like_bot(agent)


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.44",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
])
def test_browsers_do_not(agent):
    assert not rules.looks_like_bot(agent)


def test_attribution_refusals_in_order():
    ok = dict(same_project=True, active=True, expired=False, in_own_chain=False)
    assert rules.attribution_refusal(**ok) is None
    assert rules.attribution_refusal(**{**ok, "same_project": False}) == "foreign_code"
    assert rules.attribution_refusal(**{**ok, "active": False}) == "link_not_attributing"
    assert rules.attribution_refusal(**{**ok, "expired": True}) == "expired_code"
    assert rules.attribution_refusal(**{**ok, "in_own_chain": True}) == "self_referral"


def node(pk, parent=None, lit=False, state="active"):
    return {"pk": pk, "parent_id": parent, "lit_at": "x" if lit else None, "state": state}


def test_tree_layout_centres_parents_on_children():
    picture = charts.tree_layout([node(1), node(2, 1, lit=True), node(3, 1), node(4, 3), node(5)], mine=3)
    dots = {(d.x, d.y): d for d in picture.dots}
    assert picture.generations == 3
    assert len(picture.edges) == 3
    by_y = sorted(picture.dots, key=lambda d: (d.x, d.y))
    root = by_y[0]
    children = [d for d in picture.dots if d.x == root.x + 44]
    assert root.y == (min(c.y for c in children) + max(c.y for c in children)) / 2
    assert sum(d.mine for d in dots.values()) == 1 and sum(d.lit for d in dots.values()) == 1
    assert sum(d.root for d in dots.values()) == 2


def test_tree_layout_of_a_deep_chain_and_of_nothing():
    chain = [node(1)] + [node(i, i - 1) for i in range(2, 2001)]
    picture = charts.tree_layout(chain)  # no recursion limit
    assert picture.generations == 2000 and len({d.y for d in picture.dots}) == 1
    empty = charts.tree_layout([])
    assert empty.dots == [] and empty.width > 0 and empty.height > 0


def test_bar_chart_scales_to_largest():
    chart = charts.bar_chart([("1", 10, "10"), ("2", 5, "5"), ("3", 0, "fewer than 3")], width=420, label_width=90)
    assert chart.bars[0].width == 250 and chart.bars[1].width == 125 and chart.bars[2].width == 0
    assert chart.bars[1].y > chart.bars[0].y


def test_title_wrapping_counts_cjk_as_one_em():
    assert wrap("温暖包送老人" * 2, 6, 3) == ["温暖包送老人", "温暖包送老人"]
    lines = wrap("温暖包送老人" * 10, 6, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert wrap("Warm packs for elders living alone", 8, 3) == ["Warm packs for", "elders living", "alone"]


def test_qr_path_draws_runs():
    assert qr_path([[True, True, False, True]]) == "M0 0h2v1h-2zM3 0h1v1h-1z"
