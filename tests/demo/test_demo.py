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
    call_command("load_demo", gifts=60)
    call_command("load_demo", gifts=60)  # second time: already loaded, nothing added
    assert Project.objects.count() == 6
    assert set(Project.objects.values_list("status", flat=True)) >= {"fundraising", "funded", "executing", "completed", "in_review"}
    assert Donation.objects.filter(status="paid").count() >= 40
    # A share relay three links deep on the warm packs, with gifts counted through it.
    from jusha.social.models import Attribution, ShareLink

    assert ShareLink.objects.filter(lit_at__isnull=False).count() >= 4
    assert ShareLink.objects.filter(depth=3).exists() and Attribution.objects.filter(counted=True, depth=2).count() >= 8
    call_command("ledger_check")
    # Missing children: a dozen fictional cases with drawn silhouettes, public, marked demo.
    from jusha.missing.models import Case, Site
    from jusha.missing.selectors import public_cases

    assert public_cases().filter(is_demo=True).count() == 12 and not Case.objects.filter(is_demo=False).exists()
    assert all(case.photo and case.notice_photo for case in Case.objects.all())
    assert Site.objects.filter(is_demo=True).count() == 1
    for email in LOGINS.values():
        assert authenticate(username=email, password=PASSWORD) is not None
    # Demo accounts have no mailbox: every one counts as confirmed (they can claim guest gifts).
    from jusha.accounts.models import User

    assert User.objects.exists() and not User.objects.filter(email_verified_at__isnull=True).exists()
    settings.DEBUG = False
    assert authenticate(username=LOGINS["staff"], password=PASSWORD) is None
