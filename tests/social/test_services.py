"""Services: links and their place in the relay, opens, attribution, lighting, reports, blocks,
and the figures the selectors derive from them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.core.money import Money
from jusha.core.errors import Conflict, Forbidden, Invalid, TransitionRefused
from jusha.giving.services import donation_refund
from jusha.social import selectors, services
from jusha.reports.models import Report
from jusha.social.models import Attribution, RelayPath, ShareLink, ShareOpen
from jusha.social.visitors import Visitor
from tests.factories import give, make_member, make_project, make_user
from tests.social.conftest import BROWSER, give_via, guest, member, share

pytestmark = pytest.mark.django_db


def counts():
    return ShareLink.objects.count(), RelayPath.objects.count(), Attribution.objects.count(), ShareOpen.objects.count()


# --- links -----------------------------------------------------------------------------

def test_one_link_per_member_and_project(project, sharer):
    link, created = services.share_link_for(project=project, visitor=member(sharer))
    again, created_again = services.share_link_for(project=project, visitor=member(sharer))
    assert created and not created_again and again == link
    assert link.depth == 1 and link.parent is None and link.owner == sharer and link.session_digest == ""
    assert list(RelayPath.objects.values_list("ancestor", "descendant", "distance")) == [(link.pk, link.pk, 0)]
    other = make_project()
    assert share(other, member(sharer)) != link


def test_guest_link_is_bound_to_the_browser(project):
    browser = guest("a")
    link = share(project, browser)
    assert link.owner is None and link.session_digest == browser.sharer
    assert share(project, guest("a")) == link
    assert share(project, guest("b")) != link


def test_sharing_needs_someone(project):
    with pytest.raises(Invalid):
        services.share_link_for(project=project, visitor=Visitor())
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("status", ["funded", "completed", "cancelled", "executing"])
def test_a_closed_project_cannot_be_shared(status, sharer):
    project = make_project(status=status)
    with pytest.raises(Conflict):
        share(project, member(sharer))
    assert counts() == (0, 0, 0, 0)


def test_an_ended_project_cannot_be_shared(sharer):
    project = make_project()
    project.__class__.objects.filter(pk=project.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    project.refresh_from_db()
    with pytest.raises(Conflict):
        share(project, member(sharer))
    assert ShareLink.objects.count() == 0


def test_a_blocked_member_cannot_share(project, sharer, staff):
    services.sharer_block(user=sharer, reason="spam", actor=staff)
    with pytest.raises(Forbidden):
        share(project, member(sharer))
    assert ShareLink.objects.count() == 0


def test_chains_get_parent_depth_and_closure(project, sharer):
    root = share(project, member(sharer))
    second = share(project, guest("second"), via=root.code)
    third = share(project, guest("third"), via=second.code)
    assert (second.parent, second.depth) == (root, 2)
    assert (third.parent, third.depth) == (second, 3)
    assert set(RelayPath.objects.filter(descendant=third).values_list("ancestor", "distance")) == {
        (third.pk, 0), (second.pk, 1), (root.pk, 2)
    }


def test_parent_ignores_foreign_malformed_own_chain_and_suspended(project, sharer, staff):
    other = share(make_project(), guest("x"))
    assert share(project, guest("p1"), via=other.code).parent is None  # another project's link
    assert share(project, guest("p2"), via="not a code").parent is None
    mine = share(project, member(sharer))
    browser = guest("owner-browser", user=sharer)
    assert share(project, browser, via=mine.code) == mine  # a member has one link per project
    services.sharer_block(user=sharer, reason="spam", actor=staff)
    assert share(project, guest("p3"), via=mine.code).parent is None  # blocked: starts its own tree


def test_parent_from_the_gift_that_lit_the_relay(project, sharer):
    root = share(project, member(sharer))
    donation = give_via(project, root.code, visitor=guest("donor"))
    lit = services.relay_light(donation=donation, visitor=guest("donor"), shown_name="Ming")
    assert lit.parent == root and lit.depth == 2 and lit.lit_donation == donation and lit.shown_name == "Ming"
    assert lit.lit_at is not None
    # Lighting again keeps the first light; the link and its parent never change.
    again = services.relay_light(donation=donation, visitor=guest("donor"), shown_name="Other")
    assert again == lit and again.shown_name == "Ming" and again.parent == root


def test_only_a_paid_gift_lights_the_relay(project):
    pending = give(project, 1000, result=None)
    with pytest.raises(Conflict):
        services.relay_light(donation=pending, visitor=guest("g"))
    assert ShareLink.objects.count() == 0


def test_asking_again_renews_an_expired_link(project, sharer):
    link = share(project, member(sharer))
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    renewed = share(project, member(sharer))
    assert renewed.pk == link.pk and renewed.expires_at > timezone.now()


# --- opens -----------------------------------------------------------------------------

def test_opens_count_once_per_visitor_and_day(project, sharer):
    link = share(project, member(sharer))
    visitor = guest("reader")
    assert services.share_open_record(link=link, visitor=visitor)
    assert not services.share_open_record(link=link, visitor=visitor)
    assert services.share_open_record(link=link, visitor=visitor, now=timezone.now() + timedelta(days=1))
    assert services.share_open_record(link=link, visitor=guest("another"))
    link.refresh_from_db()
    assert link.opens == 3 and ShareOpen.objects.count() == 3


@pytest.mark.parametrize("agent", ["Googlebot/2.1", "", "curl/8.0", "WhatsApp/2.23"])
def test_bots_do_not_count(project, sharer, agent):
    link = share(project, member(sharer))
    bot = Visitor(visitor_id="b" * 32, user_agent=agent, rate_key="r")
    assert not services.share_open_record(link=link, visitor=bot)
    link.refresh_from_db()
    assert link.opens == 0 and ShareOpen.objects.count() == 0


def test_the_sharer_opening_their_own_link_does_not_count(project, sharer):
    link = share(project, member(sharer))
    assert not services.share_open_record(link=link, visitor=member(sharer))
    browser = guest("self")
    own = share(project, browser)
    assert not services.share_open_record(link=own, visitor=browser)
    assert ShareOpen.objects.count() == 0


def test_floods_of_opens_stop_counting(project, sharer, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "share_open": (3, 60)}
    link = share(project, member(sharer))
    counted = [
        services.share_open_record(
            link=link, visitor=Visitor(visitor_id=f"v{i}", user_agent=BROWSER, rate_key="one-address")
        )
        for i in range(10)
    ]
    assert counted == [True] * 3 + [False] * 7
    link.refresh_from_db()
    assert link.opens == 3


def test_opens_of_suspended_links_or_closed_projects_do_not_count(sharer):
    project = make_project()
    link = share(project, member(sharer))
    ShareLink.objects.filter(pk=link.pk).update(state="suspended")
    link.refresh_from_db()
    assert not services.share_open_record(link=link, visitor=guest())
    project.__class__.objects.filter(pk=project.pk).update(status="funded")
    link = ShareLink.objects.select_related("project").get(pk=link.pk)
    ShareLink.objects.filter(pk=link.pk).update(state="active")
    link.state = "active"
    assert not services.share_open_record(link=link, visitor=guest())
    assert ShareOpen.objects.count() == 0


# --- attribution -----------------------------------------------------------------------

def test_a_gift_through_a_link_counts_once_paid(project, sharer):
    link = share(project, member(sharer))
    pending = give_via(project, link.code, 3000, result=None)
    attribution = Attribution.objects.get(donation=pending)
    assert not attribution.counted and attribution.link == link and attribution.depth == 1
    assert selectors.link_figures(link).donations == 0
    failed = give_via(project, link.code, 1000, result="failed")
    paid = give_via(project, link.code, 2000)
    assert not Attribution.objects.get(donation=failed).counted
    assert Attribution.objects.get(donation=paid).counted
    figures = selectors.link_figures(link)
    assert (figures.donations, figures.amount) == (1, 2000)


@pytest.mark.parametrize("code", ["", "nonsense!", "ABCDEFGH", "x" * 300, "23456789"])
def test_malformed_or_unknown_codes_are_ignored(project, code):
    donation = give_via(project, code)
    assert donation.status == "paid" and Attribution.objects.count() == 0


def test_a_code_for_another_project_does_not_attribute(project, sharer):
    other = share(make_project(), member(sharer))
    donation = give_via(project, other.code)
    assert donation.status == "paid" and Attribution.objects.count() == 0


def test_an_expired_code_does_not_attribute(project, sharer):
    link = share(project, member(sharer))
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert give_via(project, link.code).status == "paid"
    assert Attribution.objects.count() == 0


def test_self_referral_is_ignored(project, sharer):
    link = share(project, member(sharer))
    give_via(project, link.code, donor=sharer)  # the same account
    browser = guest("me")
    own = share(project, browser)
    give_via(project, own.code, visitor=browser)  # the same browser
    assert Attribution.objects.count() == 0


def test_loops_earn_nothing(project, sharer):
    root = share(project, member(sharer))
    friend = guest("friend")
    lit = services.relay_light(donation=give_via(project, root.code, visitor=friend), visitor=friend)
    before = selectors.link_figures(root)
    # The root sharer gives through their friend's link, which hangs below their own.
    give_via(project, lit.code, donor=sharer)
    assert selectors.link_figures(root) == before
    assert Attribution.objects.filter(link=lit).count() == 0


def test_blocked_reported_or_deactivated_sharers_stop_attributing(project, staff):
    blocked, inactive = make_user(), make_user()
    links = [share(project, member(blocked)), share(project, member(inactive))]
    services.sharer_block(user=blocked, reason="spam", actor=staff)
    inactive.is_active = False
    inactive.save()
    for link in links:
        assert give_via(project, link.code).status == "paid"
    assert Attribution.objects.count() == 0


def test_refunds_take_gifts_out_of_the_relay(project, sharer):
    link = share(project, member(sharer))
    donation = give_via(project, link.code, 5000)
    finance = make_member(project.organisation, "finance")
    donation_refund(donation=donation, amount=Money(2000, "CNY"), reason="asked", actor=finance)
    assert selectors.link_figures(link).amount == 3000
    donation_refund(donation=donation, amount=Money(3000, "CNY"), reason="asked", actor=finance)
    assert selectors.link_figures(link).donations == 0


# --- figures ---------------------------------------------------------------------------

def relay(project, sharer):
    """root (member) → a, b (guests who gave and lit) → c below a; gifts at every level."""
    root = share(project, member(sharer))
    people = {name: guest(name) for name in "abc"}
    a = services.relay_light(donation=give_via(project, root.code, 1000, visitor=people["a"]), visitor=people["a"])
    b = services.relay_light(donation=give_via(project, root.code, 2000, visitor=people["b"], anonymous=True),
                             visitor=people["b"], shown_name="B")
    c = services.relay_light(donation=give_via(project, a.code, 4000, visitor=people["c"]), visitor=people["c"])
    give_via(project, c.code, 8000)
    give_via(project, c.code, 16000, anonymous=True)
    return root, a, b, c


def test_link_figures_direct_and_downstream(project, sharer):
    root, a, b, c = relay(project, sharer)
    assert selectors.link_figures(root) == selectors.LinkFigures(
        opens=0, donations=2, amount=3000, anonymous=1,
        downstream_donations=5, downstream_amount=31000, downstream_anonymous=2,
    )
    fig = selectors.link_figures(a)
    assert (fig.donations, fig.amount, fig.downstream_donations, fig.downstream_amount) == (1, 4000, 3, 28000)
    assert selectors.link_figures(b).downstream_donations == 0
    assert (c.depth, selectors.link_figures(c).donations) == (3, 2)


def test_relay_summary_and_k(project, sharer):
    relay(project, sharer)
    give(project, 999)  # not through a link: not in the relay
    summary = selectors.relay_summary(project)
    assert (summary.links, summary.lit, summary.gifts, summary.amount) == (4, 3, 5, 31000)
    assert summary.donors == 5  # three lighting guests, two more guests
    assert summary.k == round(5 / 4, 3)
    assert summary.max_depth == 3
    assert summary.depths[1] == {"links": 1, "opens": 0, "gifts": 2, "amount": 3000}
    assert summary.depths[3]["gifts"] == 2
    assert (summary.branching.parents, summary.branching.children, summary.branching.widest) == (2, 3, 2)
    public = selectors.public_relay(summary)
    assert public["donations"] == 5 and public["k"] == 1.25
    assert public["depths"][1]["donations"] == "<3" and public["depths"][1]["amount"] is None  # generation 2: one gift


def test_distinct_donors_count_once(project, sharer):
    link = share(project, member(sharer))
    friend = make_user()
    for amount in (100, 200, 300):
        give_via(project, link.code, amount, donor=friend)
    assert selectors.relay_summary(project).donors == 1


def test_member_influence(project, sharer):
    root, a, *_ = relay(project, sharer)
    services.share_open_record(link=root, visitor=guest("reader"))
    services.share_open_record(link=root, visitor=guest("reader"), now=timezone.now() + timedelta(days=1))
    other = make_project()
    share(other, member(sharer))
    influence = selectors.member_influence(sharer)
    assert len(influence.links) == 2
    assert influence.reached == 1  # the same reader on two days
    assert influence.inspired == 5 and influence.inspired_amount == 31000
    mine = {link.project_id: link for link in influence.links}[project.pk]
    assert mine.figures.donations == 2 and mine.figures.opens == 2 and mine.reached == 1


# --- reports and blocks ----------------------------------------------------------------

def test_reports_suspend_a_sharers_links_until_staff_reinstate(project, sharer, staff, settings):
    settings.JUSHA_SHARE_REPORTS_TO_SUSPEND = 2
    link = share(project, member(sharer))
    elsewhere = share(make_project(), member(sharer))
    with pytest.raises(Invalid):
        services.share_link_report(link=link, reporter=sharer, reason="me")
    with pytest.raises(Invalid):
        services.share_link_report(link=link, reporter=make_user(), reason="  ")
    first = make_user()
    services.share_link_report(link=link, reporter=first, reason="spam")
    with pytest.raises(Conflict):
        services.share_link_report(link=link, reporter=first, reason="spam again")
    link.refresh_from_db()
    assert link.state == "active"
    services.share_link_report(link=link, reporter=make_user(), reason="offensive name")
    assert set(ShareLink.objects.values_list("state", flat=True)) == {"suspended"}
    assert give_via(project, link.code).status == "paid" and Attribution.objects.count() == 0
    with pytest.raises(Forbidden):
        services.share_link_reinstate(link=link, actor=first)
    assert services.share_link_reinstate(link=link, actor=staff) == 2
    elsewhere.refresh_from_db()
    assert elsewhere.state == "active"
    assert not Report.objects.filter(kind="share_link", status__in=["new", "investigating"]).exists()
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}


def test_block_and_unblock(project, sharer, staff):
    link = share(project, member(sharer))
    services.sharer_block(user=sharer, reason="spam", actor=staff)
    link.refresh_from_db()
    assert link.state == "blocked"
    with pytest.raises(TransitionRefused):
        services._set_state([link], "suspended", roles={"system"})
    services.sharer_unblock(user=sharer, actor=staff)
    link.refresh_from_db()
    assert link.state == "active"
    assert give_via(project, link.code).attribution.link == link
