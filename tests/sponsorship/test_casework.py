"""Reports, letters and messages through the organisation; lost contact and follow-up;
the end of a term; every view of a private record audit-logged."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound
from jusha.core.models import AuditLog
from jusha.sponsorship import casework, permissions, pledging, selectors, services
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Message, Report, Sponsorship
from tests.factories import jpeg_with_gps, make_member, make_org, make_user, png_bytes
from tests.sponsorship.conftest import make_beneficiary, make_programme, sponsor_and_pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(beneficiary, sponsor):
    return sponsor_and_pay(beneficiary, sponsor)[0]


def test_a_message_with_contact_details_is_refused_naming_what_to_remove(active, sponsor):
    with pytest.raises(Invalid) as refused:
        casework.message_send(sponsorship=active, actor=sponsor, body="加油！有事打我电话 138 1234 5678，或者加微信 zhang_san88")
    assert refused.value.code == "contact_details"
    assert "138 1234 5678" in str(refused.value.detail) and "zhang_san88" in str(refused.value.detail)
    assert [f["kind"] for f in refused.value.extra["found"]] == ["phone", "wechat"]
    assert Message.objects.count() == 0


def test_messages_pass_the_organisation_both_ways(active, sponsor, owner, django_capture_on_commit_callbacks):
    message = casework.message_send(sponsorship=active, actor=sponsor, body="小红你好！期末考试加油。")
    assert message.status == Message.Status.PENDING
    with pytest.raises(Forbidden):
        casework.message_moderate(message=message, actor=sponsor, relay=True)
    casework.message_moderate(message=message, actor=owner, relay=True)
    message.refresh_from_db()
    assert message.status == Message.Status.RELAYED
    with django_capture_on_commit_callbacks(execute=True):
        reply = casework.message_send(sponsorship=active, actor=owner, body="谢谢您！我数学考了98分。", from_beneficiary=True)
    assert reply.status == Message.Status.RELAYED and mail.outbox
    with pytest.raises(Forbidden):
        casework.message_send(sponsorship=active, actor=make_user(), body="hello")


def test_reports_strip_photo_metadata_and_need_consent(active, owner):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    report = casework.report_post(sponsorship=active, actor=owner, grades="数学 98", letter="谢谢叔叔", photo=photo)
    with report.photo.open("rb") as f, Image.open(f) as image:
        assert not image.getexif()
    assert "/media/" not in report.photo.path or "private" in report.photo.path
    active.refresh_from_db()
    assert active.next_report_due == date.today() + timedelta(days=active.programme.report_every_days)
    nophoto = make_beneficiary(active.programme, alias="小明", photo_consent=False)
    other = sponsor_and_pay(nophoto, make_user())[0]
    with pytest.raises(Invalid) as refused:
        casework.report_post(sponsorship=other, actor=owner, grades="ok",
                             photo=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"))
    assert refused.value.code == "photo_consent" and not Report.objects.filter(sponsorship=other).exists()


def test_a_report_on_someone_elses_beneficiary_is_refused(active):
    stranger_org = make_org()
    outsider = make_member(stranger_org, "owner")
    with pytest.raises(Forbidden):
        casework.report_post(sponsorship=active, actor=outsider, grades="A")
    with pytest.raises(NotFound):
        permissions.access_organisation_sponsorship(user=outsider, pk=active.pk)
    assert Report.objects.count() == 0


def test_a_private_record_view_is_audit_logged_and_refused_to_outsiders(beneficiary, owner):
    permissions.access_private_beneficiary(user=owner, pk=beneficiary.pk, where="test")
    assert AuditLog.objects.filter(action="sponsorship.beneficiary_view", target_id=str(beneficiary.pk)).count() == 1
    with pytest.raises(NotFound):
        permissions.access_private_beneficiary(user=make_user(), pk=beneficiary.pk, where="test")
    assert AuditLog.objects.filter(action="sponsorship.beneficiary_view").count() == 1


def test_a_report_long_overdue_opens_a_case_pauses_payments_and_the_student_is_reached(active, sponsor, owner, django_capture_on_commit_callbacks):
    due = active.next_report_due
    assert casework.sponsorships_check_reports(on=due + timedelta(days=5)) == 0  # late: flagged only
    assert selectors.report_flag(active, on=due + timedelta(days=5)).overdue
    with django_capture_on_commit_callbacks(execute=True):
        assert casework.sponsorships_check_reports(on=due + timedelta(days=31)) == 1
    assert casework.sponsorships_check_reports(on=due + timedelta(days=32)) == 0  # one case at a time
    active.refresh_from_db()
    assert active.status == Sponsorship.Status.PAUSED
    assert active.beneficiary.status == Beneficiary.Status.PAUSED
    assert any("Nobody is at fault" in m.body or "paused" in m.body for m in mail.outbox)
    with pytest.raises(Conflict) as paused:
        pledging.charge_terms(active.pk)
    assert paused.value.code == "sponsorship_paused"
    case = FollowUpCase.objects.get(sponsorship=active)
    partner_org = make_org()
    partner = make_member(partner_org, "editor")
    with pytest.raises(Forbidden):
        casework.case_step_add(case=case, actor=partner, note="Visited the school")
    casework.case_share(case=case, actor=owner, partner=partner_org)
    casework.case_step_add(case=case, actor=partner, note="Visited the school; she is at her aunt's", kind="visit")
    casework.message_send(sponsorship=active, actor=sponsor, body="不管考得怎样，我们都在。")
    casework.case_close(case=case, actor=owner, outcome="reached", note="She is well and will write soon")
    active.refresh_from_db()
    assert active.status == Sponsorship.Status.ACTIVE
    assert pledging.charge_terms(active.pk, on=date.today() + timedelta(days=32)).month == 2  # when it is due
    kinds = [m.kind for m in selectors.timeline(active, for_sponsor=True)]
    assert kinds[0] == "start" and "case" in kinds and "case_closed" in kinds


def test_the_end_of_a_term_needs_its_outcome_report(active, owner):
    with pytest.raises(Conflict) as missing:
        casework.term_complete(sponsorship=active, actor=owner, outcome="changed_plan", note="Technical school")
    assert missing.value.code == "outcome_report_missing"
    casework.report_post(sponsorship=active, actor=owner, kind="outcome", letter="我去读技校了，学计算机。")
    casework.term_complete(sponsorship=active, actor=owner, outcome="changed_plan", note="Technical school, computing")
    active.refresh_from_db()
    assert active.status == Sponsorship.Status.COMPLETED and active.outcome == "changed_plan"
    assert active.beneficiary.status == Beneficiary.Status.WAITING
    assert selectors.timeline(active, for_sponsor=True)[-1].kind == "end"
