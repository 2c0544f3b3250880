"""The pages, as a donor and an organisation use them (every page rendered here is also
checked against the CSP rules by the test settings' middleware)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jusha.core.models import AuditLog
from jusha.sponsorship import casework
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Message, Report, Sponsorship
from tests.factories import make_member, make_org, make_user, png_bytes
from tests.sponsorship.conftest import make_beneficiary, pay_month, sponsor_and_pay

pytestmark = pytest.mark.django_db


def test_the_public_list_and_profile_show_no_private_detail(client, beneficiary):
    page = client.get("/sponsorship/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "小红" in text and "李小红" not in text and "李大山" not in text
    profile = client.get(f"/sponsorship/students/{beneficiary.pk}/").content.decode()
    assert "15-17" in profile and "李小红" not in profile


def test_a_donor_sponsors_on_the_page_and_is_sent_to_pay(client, beneficiary):
    donor = make_user()
    client.force_login(donor)
    response = client.post(f"/sponsorship/students/{beneficiary.pk}/", {"amount": "300", "months": "36", "purpose": "both"})
    assert response.status_code == 302 and "/pay/" in response.url or "sandbox" in response.url
    sponsorship = Sponsorship.objects.get()
    pay_month(sponsorship.payments.get().donation)
    page = client.get(f"/sponsorship/s/{sponsorship.pk}/").content.decode()
    assert "¥300.00" in page and "李小红" not in page
    taken = client.post(f"/sponsorship/students/{beneficiary.pk}/", {"amount": "300", "months": "12", "purpose": "both"})
    assert taken.status_code == 409 and Sponsorship.objects.count() == 1
    other = make_user()
    client.force_login(other)
    refused = client.post(f"/sponsorship/students/{beneficiary.pk}/", {"amount": "300", "months": "12", "purpose": "both"})
    assert refused.status_code == 409 and Sponsorship.objects.count() == 1


def test_a_message_with_a_phone_number_is_refused_on_the_page(client, beneficiary, sponsor):
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor)
    client.force_login(sponsor)
    response = client.post(f"/sponsorship/s/{sponsorship.pk}/message/", {"body": "我的电话 １３８ １２３４ ５６７８"})
    assert response.status_code == 422 and "１３８ １２３４ ５６７８" in response.content.decode()
    assert Message.objects.count() == 0
    ok = client.post(f"/sponsorship/s/{sponsorship.pk}/message/", {"body": "期末加油！"})
    assert ok.status_code == 302 and Message.objects.get().status == "pending"


def test_the_organisation_posts_a_report_and_moderates(client, beneficiary, sponsor, owner):
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor)
    casework.message_send(sponsorship=sponsorship, actor=sponsor, body="你好！")
    client.force_login(owner)
    page = client.get(f"/sponsorship/s/{sponsorship.pk}/")
    assert "你好！" in page.content.decode()
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    response = client.post(f"/sponsorship/s/{sponsorship.pk}/report/",
                           {"kind": "progress", "grades": "数学 98", "letter": "谢谢", "photo": photo})
    assert response.status_code == 302 and Report.objects.count() == 1
    message = Message.objects.get()
    client.post(f"/sponsorship/s/{sponsorship.pk}/messages/{message.pk}/moderate/", {"relay": "1"})
    message.refresh_from_db()
    assert message.status == "relayed"
    client.force_login(sponsor)
    photo_response = client.get(f"/sponsorship/reports/{Report.objects.get().pk}/photo/")
    assert photo_response.status_code == 200 and photo_response["Cache-Control"] == "private, no-store"
    client.force_login(make_user())
    assert client.get(f"/sponsorship/reports/{Report.objects.get().pk}/photo/").status_code == 404
    assert client.get(f"/sponsorship/s/{sponsorship.pk}/").status_code == 404


def test_someone_elses_organisation_cannot_post_a_report(client, beneficiary, sponsor):
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor)
    client.force_login(make_member(make_org(), "owner"))
    response = client.post(f"/sponsorship/s/{sponsorship.pk}/report/", {"kind": "progress", "grades": "A"})
    assert response.status_code == 404 and Report.objects.count() == 0


def test_the_private_record_is_for_members_and_each_view_is_logged(client, beneficiary, owner):
    client.force_login(owner)
    page = client.get(f"/sponsorship/org/students/{beneficiary.pk}/")
    assert page.status_code == 200 and "李小红" in page.content.decode()
    assert AuditLog.objects.filter(action="sponsorship.beneficiary_view").count() == 1
    client.force_login(make_user())
    assert client.get(f"/sponsorship/org/students/{beneficiary.pk}/").status_code == 404
    assert AuditLog.objects.filter(action="sponsorship.beneficiary_view").count() == 1


def test_the_programme_page_and_a_new_student(client, programme, owner):
    client.force_login(owner)
    assert client.get(f"/sponsorship/org/{programme.organisation.slug}/").status_code == 200
    response = client.post(f"/sponsorship/org/{programme.organisation.slug}/students/new/", {
        "legal_name": "张小兰", "guardian_name": "张父", "guardian_consent_on": "2026-03-01", "alias": "小兰",
        "birth_year": "2012", "region_code": "510722", "stage": "junior", "need": "Junior high costs",
    })
    assert response.status_code == 302 and Beneficiary.objects.get().alias == "小兰"
    leaking = client.post(f"/sponsorship/org/{programme.organisation.slug}/students/new/", {
        "legal_name": "张小兰", "guardian_name": "张父", "guardian_consent_on": "2026-03-01", "alias": "小兰2",
        "birth_year": "2012", "region_code": "510722", "stage": "junior", "need": "call 13812345678",
    })
    assert leaking.status_code == 422 and Beneficiary.objects.count() == 1


def test_a_case_closes_on_its_page_and_the_donor_reads_kind_words(client, beneficiary, sponsor, owner):
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor)
    casework.sponsorships_check_reports(on=sponsorship.next_report_due + timedelta(days=40))
    case = FollowUpCase.objects.get()
    client.force_login(sponsor)
    page = client.get(f"/sponsorship/s/{sponsorship.pk}/").content.decode()
    assert 'data-testid="case-open"' in page and 'data-testid="report-overdue"' not in page
    client.force_login(owner)
    client.post(f"/sponsorship/cases/{case.pk}/", {"action": "step", "kind": "call", "note": "Called her teacher"})
    response = client.post(f"/sponsorship/cases/{case.pk}/", {"action": "close", "outcome": "reached", "note": "She is well"})
    assert response.status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.status == "active" and case.steps.count() == 2


def test_the_donor_renews_a_completed_term(client, beneficiary, sponsor, owner):
    sponsorship, _d = sponsor_and_pay(beneficiary, sponsor, months=1)
    casework.report_post(sponsorship=sponsorship, actor=owner, kind="outcome", letter="这学期结束了，我想继续读下去。")
    casework.term_complete(sponsorship=sponsorship, actor=owner, outcome="renewed", note="Continuing at school")
    client.force_login(make_user())
    assert client.post(f"/sponsorship/s/{sponsorship.pk}/renew/", {"months": "12"}).status_code == 404
    client.force_login(sponsor)
    response = client.post(f"/sponsorship/s/{sponsorship.pk}/renew/", {"months": "12"})
    assert response.status_code == 302
    renewed = Sponsorship.objects.exclude(pk=sponsorship.pk).get()
    assert renewed.renewed_from_id == sponsorship.pk and renewed.status == "pending" and renewed.amount == sponsorship.amount
