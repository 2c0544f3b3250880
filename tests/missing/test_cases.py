import datetime

import pytest
from django.utils import timezone

from jusha.core.errors import Conflict, Forbidden, Invalid, TransitionRefused
from jusha.core.models import AuditLog
from jusha.missing import services
from jusha.missing.models import Case, Sighting
from jusha.missing.selectors import public_cases
from jusha.transparency.models import Fact, Queued
from tests.factories import make_member, make_org, make_user
from tests.missing.conftest import case_values, make_case, make_partner

pytestmark = pytest.mark.django_db


def test_a_case_with_consent_is_public(partner):
    case = make_case(partner)
    assert list(public_cases()) == [case]
    assert AuditLog.objects.filter(action="missing.case_created", target_id=str(case.pk)).exists()


def test_a_case_without_consent_is_refused_and_nothing_is_saved(partner):
    editor = make_member(partner, "editor")
    for missing in ({"consent_by": ""}, {"consent_recorded_by": "  "}):
        with pytest.raises(Invalid) as exc:
            services.case_create(organisation=partner, values=case_values(**missing), actor=editor)
        assert exc.value.code == "consent_missing"
    assert not Case.objects.exists()


@pytest.mark.parametrize("over,code", [
    ({"region_code": "999999"}, "region_invalid"),
    ({"birth_date": datetime.date(2999, 1, 1)}, "birth_date_invalid"),
    ({"lost_at": timezone.now() + datetime.timedelta(days=2)}, "lost_at_invalid"),
])
def test_bad_values_are_refused(partner, over, code):
    with pytest.raises(Invalid) as exc:
        services.case_create(organisation=partner, values=case_values(**over), actor=make_member(partner))
    assert exc.value.code == code
    assert not Case.objects.exists()


def test_only_staff_grant_the_partner_permission():
    org = make_org()
    with pytest.raises(Forbidden):
        services.partner_grant(organisation=org, actor=make_member(org, "owner"))
    with pytest.raises(Conflict):
        services.partner_grant(organisation=make_org(verified=False), actor=make_user(is_staff=True))


def test_expired_case_revoked_partner_are_hidden(partner):
    case = make_case(partner, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert not public_cases().exists()
    Case.objects.filter(pk=case.pk).update(expires_on=timezone.localdate())
    assert public_cases().exists()
    services.partner_revoke(organisation=partner, actor=make_user(is_staff=True))
    assert not public_cases().exists()


def test_found_is_gone_at_once_and_final(partner):
    case = make_case(partner, photo=True)
    assert case.photo and case.notice_photo
    services.case_close(case=case, status="found", roles={"editor"}, actor=make_member(partner, "editor"))
    case.refresh_from_db()
    assert case.status == "found" and case.closed_at and not case.photo and not case.notice_photo
    assert not public_cases().exists()
    with pytest.raises(TransitionRefused):
        services.case_close(case=case, status="withdrawn", roles={"editor"}, actor=make_member(partner, "editor"))
    with pytest.raises(Conflict):
        services.case_update(case=case, values={"name": "x"}, actor=make_member(partner, "editor"))


def test_a_stranger_role_cannot_close(partner):
    case = make_case(partner)
    with pytest.raises(Forbidden):
        services.case_close(case=case, status="found", roles={"finance"}, actor=make_member(partner, "finance"))
    case.refresh_from_db()
    assert case.status == "active"


def test_notice_photo_is_small_and_2x(partner):
    case = make_case(partner, photo=True)
    from PIL import Image

    with case.notice_photo.open("rb") as f:
        data = f.read()
    assert len(data) <= 30 * 1024
    with Image.open(case.notice_photo.path) as image:
        assert image.size == (240, 320) and not image.getexif()


def test_purge_after_the_period(partner, settings):
    case = make_case(partner)
    sighting = services.sighting_submit(case=case, place="p", seen_at=timezone.now(), description="d", contact="c")
    editor = make_member(partner, "editor")
    services.case_close(case=case, status="withdrawn", roles={"editor"}, actor=editor)
    assert services.cases_purge_closed() == 0
    later = timezone.now() + datetime.timedelta(days=settings.JUSHA_MISSING_PURGE_DAYS + 1)
    assert services.cases_purge_closed(now=later) == 1
    case.refresh_from_db()
    sighting.refresh_from_db()
    assert case.family_contact == case.reporter_contact == case.notes == case.consent_recorded_by == ""
    assert case.name == "小明"  # the partner's record keeps the rest
    assert sighting.contact == ""


def test_transparency_log_never_holds_missing_person_data(partner):
    case = make_case(partner)
    services.sighting_submit(case=case, place="p", seen_at=timezone.now(), description="d")
    services.case_close(case=case, status="found", roles={"owner"}, actor=make_member(partner, "owner"))
    assert not Fact.objects.exists() and not Queued.objects.exists()


def test_sighting_triage_follows_the_table(partner):
    case = make_case(partner)
    sighting = services.sighting_submit(case=case, place="p", seen_at=timezone.now(), description="d")
    editor = make_member(partner, "editor")
    services.sighting_move(sighting=sighting, status="checked", roles={"editor"}, actor=editor)
    services.sighting_move(sighting=sighting, status="police", roles={"editor"}, actor=editor)
    with pytest.raises(TransitionRefused):
        services.sighting_move(sighting=sighting, status="new", roles={"editor"}, actor=editor)
    assert Sighting.objects.get().status == "police"
