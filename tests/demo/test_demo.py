import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from jusha.demo.loader import LOGINS, PASSWORD
from jusha.giving.models import Donation
from jusha.projects.models import Project

pytestmark = pytest.mark.django_db


def test_demo_refused_without_demo_flag_or_with_debug_off(settings):
    settings.JUSHA_DEMO = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    settings.JUSHA_DEMO, settings.DEBUG = True, False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert Project.objects.count() == 0


def test_demo_loads_once_balanced_and_its_logins_work_only_in_demo(settings):
    settings.JUSHA_DEMO, settings.DEBUG = True, True
    # As `make run` loads it: gifts settled by the settler, not inside their notification.
    settings.JUSHA_SETTLE = {**settings.JUSHA_SETTLE, "inline": False}
    call_command("load_demo", gifts=60)
    assert not Donation.objects.filter(status="paid", settled_at__isnull=True).exists()
    call_command("load_demo", gifts=60)  # second time: already loaded, nothing added
    assert Project.objects.filter(pooled=False).count() == 8  # with 速援互助's and the sponsorship programme's
    # Rational charity: two cause funds with grants, a year of monthly pledges charged once a month.
    from jusha.funds.models import CauseFund, Grant
    from jusha.pledges.models import Pledge, PledgeCharge
    from jusha.pledges.stats import retention_figures

    assert CauseFund.objects.count() == 2 and Grant.objects.exists()
    assert Pledge.objects.count() >= 30 and PledgeCharge.objects.filter(status="succeeded").count() >= 150
    figures = retention_figures()
    assert figures.repeat_rate and sum(c["donors"] for c in figures.cohorts) >= 30 and figures.monthly_churn
    assert set(Project.objects.values_list("status", flat=True)) >= {"fundraising", "funded", "executing", "completed", "in_review"}
    assert Donation.objects.filter(status="paid").count() >= 40
    # A share relay three links deep on the warm packs, with gifts counted through it.
    from jusha.social.models import Attribution, ShareLink

    assert ShareLink.objects.filter(lit_at__isnull=False).count() >= 4
    assert ShareLink.objects.filter(depth=3).exists() and Attribution.objects.filter(counted=True, depth=2).count() >= 8
    call_command("ledger_check")
    # Community: two teams on the warm packs with gifts through them, a circle per cause, and
    # the demo donor's feed with a friend's shown gift and "3 friends supported this".
    from jusha.community import selectors as community
    from jusha.community.models import Circle, Team

    teams = Team.objects.filter(project__slug="warm-packs-for-elders")
    assert teams.count() == 2 and all(team.raised > 0 for team in teams)
    assert Circle.objects.filter(kind="cause").count() == len(set(Project.objects.values_list("cause", flat=True)))
    from django.contrib.auth import get_user_model

    donor = get_user_model().objects.get(email=LOGINS["donor"])
    kinds = {item.kind for item in community.feed_items(donor)}
    assert {"team_update", "circle_post", "gift", "gathering"} <= kinds
    assert [s.friends for s in community.friends_supported(donor)] == [3]

    # One-to-one sponsorship: students waiting and sponsored, one journey through a follow-up.
    from jusha.sponsorship.models import Beneficiary, FollowUpCase, Sponsorship

    assert set(Beneficiary.objects.values_list("status", flat=True)) == {"waiting", "sponsored"}
    donor_sponsorships = Sponsorship.objects.filter(donor__email=LOGINS["donor"], status="active")
    assert donor_sponsorships.count() == 2
    assert FollowUpCase.objects.filter(status="closed", outcome="reached", steps__kind="visit").exists()
    # Missing children: a dozen fictional cases with drawn silhouettes, public, marked demo.
    from jusha.missing.models import Case, Site
    from jusha.missing.selectors import public_cases

    assert public_cases().filter(is_demo=True).count() == 12 and not Case.objects.filter(is_demo=False).exists()
    assert all(case.photo and case.notice_photo for case in Case.objects.all())
    assert Site.objects.filter(is_demo=True).count() == 1
    # Credibility (issue 21): organisations with different records in different grade bands,
    # one upheld report that suspended a project, and each organisation's rating history.
    from jusha.ratings.selectors import latest_snapshot
    from jusha.organisations.models import Organisation
    from jusha.reports.models import Report

    rated = Organisation.objects.filter(slug__in=["laoyousuoyi", "shanliwa", "lvsejiayuan", "suyuanhuzhu"])
    grades = {o.slug: latest_snapshot(o).grade for o in rated}
    assert len(set(grades.values())) >= 3 and all(grades.values()), grades
    assert grades["laoyousuoyi"] in ("A+", "A") and grades["suyuanhuzhu"] == "C"
    assert Report.objects.filter(status="upheld").count() == 1
    assert Project.objects.get(slug="emergency-medical-aid").status == "suspended"
    for email in LOGINS.values():
        assert authenticate(username=email, password=PASSWORD) is not None
    # Demo accounts have no mailbox: every one counts as confirmed (they can claim guest gifts).
    from jusha.accounts.models import User

    assert User.objects.exists() and not User.objects.filter(email_verified_at__isnull=True).exists()
    settings.DEBUG = False
    assert authenticate(username=LOGINS["staff"], password=PASSWORD) is None


def test_the_demo_tells_one_dated_story(settings):
    """Issue 14, item 8: gifts, batches, updates and spending spread over the past months,
    each batch funded when its commitment is journalled, nothing dated in the future."""
    import datetime

    from django.utils import timezone

    from jusha.fulfilment.models import Batch
    from jusha.ledger.models import Expenditure, JournalEntry
    from jusha.projects.models import ProjectUpdate

    settings.JUSHA_DEMO, settings.DEBUG = True, True
    before = timezone.now()
    call_command("load_demo", gifts=80)
    after = timezone.now()
    paid = sorted(Donation.objects.filter(paid_at__isnull=False).values_list("paid_at", flat=True))
    assert paid[0] < before - datetime.timedelta(days=80) and paid[-1] <= after
    months = {(t.year, t.month) for t in paid}
    assert len(months) >= 3  # a campaign over months, not one moment
    assert not JournalEntry.objects.filter(created_at__gt=after).exists()
    assert not ProjectUpdate.objects.filter(created_at__gt=after).exists()
    for batch in Batch.objects.all():
        commitment = JournalEntry.objects.get(kind="commitment", reference=str(batch.pk))
        assert abs(commitment.created_at - batch.funded_at) < datetime.timedelta(minutes=1)
        if batch.purchased_at:
            assert batch.funded_at <= batch.purchased_at
    for expenditure in Expenditure.objects.all():  # each recorded on the day it says it was spent
        entry = JournalEntry.objects.get(kind="expenditure", reference=str(expenditure.pk))
        if expenditure.project.slug == "emergency-medical-aid":  # but the poorly rated one's: months late
            assert (timezone.localtime(entry.created_at).date() - expenditure.spent_on).days >= 60
            continue
        assert timezone.localtime(entry.created_at).date() == expenditure.spent_on
    warm = Project.objects.get(slug="warm-packs-for-elders")
    delivered = warm.updates.get(title__startswith="第 1 批 20 个")
    first = Batch.objects.get(project=warm, number=1)
    local = timezone.localtime(first.delivered_at)
    assert f"{local.month} 月 {local.day} 日" in delivered.body and delivered.created_at >= first.delivered_at
