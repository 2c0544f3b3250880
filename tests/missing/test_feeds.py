import datetime
import json

import pytest
from django.utils import timezone

from jusha.missing import feeds, services
from jusha.missing.models import Case, FeedRun
from jusha.missing.selectors import public_cases
from jusha.transparency import remote
from tests.factories import make_member, png_bytes
from tests.missing.conftest import make_partner

pytestmark = pytest.mark.django_db

HEADER = "id,name,sex,birth_time,lost_time,child_pic,lost_place,url,child_feature,city,province,expire,status\n"


def line(ref, name="小红", *, sex="女", birth="2015-03-02", lost="2025-10-01 08:00", pic="", city="遂宁市",
         province="四川省", expire="2030-01-01", status=""):
    return f"{ref},{name},{sex},{birth},{lost},{pic},车站,https://partner.example/{ref},左耳有痣,{city},{province},{expire},{status}\n"


@pytest.fixture
def feed(db):
    partner = make_partner()
    return services.feed_create(organisation=partner, name="宝贝回家", fmt="csv", hotline="400-000",
                                consent_by="family", consent_recorded_by="社工甲", actor=make_member(partner))


def run(feed, text):
    return services.feed_import(feed=feed, data=text.encode())


def test_a_good_csv_imports_every_case(feed):
    result = run(feed, HEADER + line("a1") + line("a2", "小刚", sex="男", city="", province="北京市"))
    assert result.outcome == "applied" and result.created == 2 and result.errors == []
    a1 = Case.objects.get(ref="a1")
    assert a1.region_code == "510900" and a1.sex == "f" and a1.hotline == "400-000" and a1.has_consent
    assert Case.objects.get(ref="a2").region_code == "110000"
    assert public_cases().count() == 2
    again = run(feed, HEADER + line("a1") + line("a2", "小刚", sex="男", city="", province="北京市"))
    assert again.created == again.changed == 0


@pytest.mark.parametrize("bad,message", [
    (line("b1", birth="not-a-date"), "birth date"),
    (line("b1", lost="2999-01-01"), "last seen"),
    (line("b1", expire="soon"), "expiry"),
    (line("", ), "“id” is missing"),
    (line("b1", city="没有这个市", province="火星省"), "place"),
    (line("b1", sex="x"), "sex"),
    (line("b1", pic="ftp://x/y.png"), "picture"),
])
def test_one_bad_row_rejects_the_whole_run_with_a_clear_error(feed, bad, message):
    result = run(feed, HEADER + line("ok1") + bad)
    assert result.outcome == "rejected"
    assert len(result.errors) == 1 and result.errors[0]["row"] == 2 and message in result.errors[0]["message"]
    assert not Case.objects.exists()


def test_duplicate_ids_are_reported(feed):
    result = run(feed, HEADER + line("d") + line("d"))
    assert result.outcome == "rejected" and "twice" in result.errors[0]["message"] and result.errors[0]["row"] == 2
    assert not Case.objects.exists()


def test_unreadable_files(feed):
    feed.format = "json"
    feed.save()
    for text in ("{not json", "[1, 2]", '"x"'):
        result = run(feed, text)
        assert result.outcome == "rejected" and result.errors[0]["row"] == 0
    assert services.feed_import(feed=feed, data=b"\xff\xfe bad").outcome == "rejected"
    assert not Case.objects.exists()


def test_json_with_a_mapping(db):
    partner = make_partner()
    feed = services.feed_create(organisation=partner, name="j", fmt="json", hotline="1", consent_by="authority",
                                consent_recorded_by="警官", mapping={"id": "case_no", "name": "xm"},
                                actor=make_member(partner))
    records = [{"case_no": "j1", "xm": "小军", "sex": "m", "birth_time": "2018-01-01", "lost_time": "2025-01-01",
                "region": "510923", "expire": "2030-01-01"}]
    result = services.feed_import(feed=feed, data=json.dumps({"items": records}).encode())
    assert result.outcome == "applied", result.errors
    assert Case.objects.get().name == "小军" and Case.objects.get().region_code == "510923"


def test_found_applies_at_once_even_when_the_run_is_rejected(feed):
    run(feed, HEADER + line("f1") + line("f2"))
    result = run(feed, HEADER + line("f1", status="found") + line("f2", name="改名") + line("bad", birth="x"))
    assert result.outcome == "rejected" and result.closed == 1
    assert Case.objects.get(ref="f1").status == "found"
    assert Case.objects.get(ref="f2").name == "小红"  # the change waits for a clean run


def test_a_full_feed_withdraws_absent_cases_at_once(feed):
    run(feed, HEADER + line("g1") + line("g2"))
    feed.full = True
    feed.save()
    result = run(feed, HEADER + line("g1") + line("new", birth="bad"))
    assert result.outcome == "rejected" and result.closed == 1
    assert Case.objects.get(ref="g2").status == "withdrawn"
    assert not Case.objects.filter(ref="new").exists()


def test_pictures_are_fetched_cleaned_and_bad_ones_reported(feed, monkeypatch):
    pictures = {"https://img.example/ok.png": png_bytes((500, 700)), "https://img.example/text.png": b"hello"}

    def fake_get(url):
        if url not in pictures:
            raise remote.FetchError("down")
        return pictures[url]

    monkeypatch.setattr(remote, "get", fake_get)
    result = run(feed, HEADER + line("p1", pic="https://img.example/ok.png") + line("p2", pic="https://img.example/text.png")
                 + line("p3", pic="https://img.example/missing.png"))
    assert result.outcome == "rejected"
    assert [e["row"] for e in result.errors] == [2, 3]
    assert not Case.objects.exists()
    result = run(feed, HEADER + line("p1", pic="https://img.example/ok.png"))
    assert result.outcome == "applied"
    case = Case.objects.get()
    assert case.photo and case.notice_photo and case.photo_source == "https://img.example/ok.png"


def test_a_feed_needs_consent(db):
    partner = make_partner()
    from jusha.core.errors import Invalid

    with pytest.raises(Invalid):
        services.feed_create(organisation=partner, name="x", fmt="csv", hotline="1", consent_by="",
                             consent_recorded_by="", actor=make_member(partner))


def test_scheduled_resync_fetches_due_feeds(feed, monkeypatch):
    feed.url = "https://partner.example/feed.csv"
    feed.save()
    monkeypatch.setattr(remote, "get", lambda url: (HEADER + line("s1")).encode())
    assert services.feeds_resync_due() == 1
    assert Case.objects.filter(ref="s1").exists()
    assert services.feeds_resync_due() == 0  # not due again yet
    later = timezone.now() + datetime.timedelta(hours=25)
    assert services.feeds_resync_due(now=later) == 1


def test_feed_pages(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    partner = make_partner()
    client.force_login(make_member(partner, "owner"))
    response = client.post(f"/missing/org/{partner.slug}/feeds/", {
        "name": "f", "fmt": "csv", "every_hours": 24, "hotline": "1", "consent_by": "family",
        "consent_recorded_by": "甲", "mapping": "{}"})
    assert response.status_code == 302
    url = response["Location"]
    bad = SimpleUploadedFile("f.csv", (HEADER + line("x", birth="nope")).encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 422 and "birth date" in response.content.decode()
    good = SimpleUploadedFile("f.csv", (HEADER + line("x")).encode())
    assert client.post(url, {"file": good}).status_code == 200
    assert Case.objects.filter(ref="x").exists()
    other = make_member(make_partner(), "owner")
    client.force_login(other)
    assert client.get(url).status_code == 403
