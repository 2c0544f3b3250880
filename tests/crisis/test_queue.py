"""Ingestion, the responder queue, escalation, purge and safeguarding, on invented posts."""

import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from jusha.core.errors import Conflict, Forbidden, Invalid, TooLarge
from jusha.core.models import AuditLog
from jusha.crisis import crypto, services
from jusha.crisis.models import Case, LabelledExample, Post, Responder
from tests.factories import make_user
from tests.page_checks import page_problems

pytestmark = pytest.mark.django_db

URGENT = "我今晚就从楼顶跳下去，遗书写好了"  # invented
CALM = "今天天气真好，去吃火锅"


@pytest.fixture(autouse=True)
def rules_only(settings, tmp_path):
    settings.JUSHA_CRISIS_MODEL_PATH = str(tmp_path / "absent.bin")
    settings.JUSHA_PUBLIC_URL = "https://jusha.example"
    services.scorer.cache_clear()
    yield
    services.scorer.cache_clear()


@pytest.fixture
def people():
    staff = make_user("staff@x.test", is_staff=True)
    supervisor = make_user("sup@x.test")
    services.role_grant(user=supervisor, role="supervisor", actor=staff)
    responder = make_user("resp@x.test")
    services.role_grant(user=responder, role="responder", actor=supervisor)
    services.duty_set(user=responder, on_duty=True, actor=responder)
    other = make_user("resp2@x.test")
    services.role_grant(user=other, role="responder", actor=supervisor)
    return {"staff": staff, "supervisor": supervisor, "responder": responder, "other": other, "member": make_user("m@x.test")}


@pytest.fixture
def source(people):
    source, key = services.source_create(name="demo", actor=people["supervisor"])
    source.key = key
    return source


def post(i, text=URGENT, author="小雨", **extra):
    return {"id": f"p{i}", "text": text, "posted_at": "2026-12-01T20:00:00+08:00", "author": author, "url": f"https://weibo.example/{i}", **extra}


def test_roles_are_granted_only_from_above(people):
    with pytest.raises(Forbidden):
        services.role_grant(user=people["member"], role="supervisor", actor=people["supervisor"])
    with pytest.raises(Forbidden):
        services.role_grant(user=people["member"], role="responder", actor=people["responder"])
    with pytest.raises(Forbidden):
        services.source_create(name="x", actor=people["responder"])


def test_ingest_opens_one_case_per_author_and_dedupes(source):
    result = services.posts_ingest(source=source, posts=[post(1), post(2, CALM), post(3, author="别人", text="有没有人一起死")])
    assert result == {"received": 3, "created": 3, "duplicates": 0, "cases_opened": 2, "cases_updated": 0}
    again = services.posts_ingest(source=source, posts=[post(1), post(4, "我刚吃了一整瓶安眠药")])
    assert again["duplicates"] == 1 and again["created"] == 1 and again["cases_updated"] == 1
    case = Case.objects.get(posts__external_id="p1")
    assert case.level == 10 and case.posts.count() == 2 and case.urgent_since is not None
    stored = Post.objects.get(external_id="p1")
    assert b"\xe5\xb0\x8f\xe9\x9b\xa8" not in bytes(stored.author_enc)  # the handle is not stored in the clear
    assert crypto.decrypt(stored.author_enc) == "小雨" and crypto.decrypt(stored.url_enc).endswith("/1")


@pytest.mark.parametrize(
    "posts, error",
    [
        ([], Invalid),
        ([post(1, text="")], Invalid),
        ([post(1, text="x" * 10_001)], Invalid),
        ([post(1, text="\x00\x01binary")], Invalid),
        ([post(1, posted_at="yesterday")], Invalid),
        ([{"id": "x"}], Invalid),
        ([post(i) for i in range(1001)], TooLarge),
    ],
)
def test_bad_batches_change_nothing(source, posts, error):
    with pytest.raises(error):
        services.posts_ingest(source=source, posts=[post(99), *posts] if posts else posts)
    assert Post.objects.count() == 0 and Case.objects.count() == 0


def test_api_ingest_with_source_key(client, source, caplog):
    body = json.dumps([post(1), post(2, CALM)])
    caplog.set_level(logging.DEBUG)
    answer = client.post("/api/v1/crisis/posts", body, content_type="application/json", headers={"Authorization": f"Bearer {source.key}"})
    assert answer.status_code == 200 and answer.json()["created"] == 2
    assert URGENT not in caplog.text and "小雨" not in caplog.text
    for headers, status, code in (({}, 401, "crisis_source_key"), ({"Authorization": "Bearer nope"}, 401, "crisis_source_key")):
        refused = client.post("/api/v1/crisis/posts", body, content_type="application/json", headers=headers)
        assert refused.status_code == status and refused.json()["code"] == code
    bad = client.post("/api/v1/crisis/posts", b"\xff\xfe[", content_type="application/json", headers={"Authorization": f"Bearer {source.key}"})
    assert bad.status_code == 400
    invalid = client.post("/api/v1/crisis/posts", json.dumps([post(5, text="")]), content_type="application/json", headers={"Authorization": f"Bearer {source.key}"})
    assert invalid.status_code == 422 and invalid.json()["code"] == "crisis_posts_invalid"
    assert Post.objects.count() == 2


def test_non_responder_sees_nothing_and_is_logged(client, people, source):
    services.posts_ingest(source=source, posts=[post(1)])
    case = Case.objects.get()
    client.force_login(people["member"])
    assert client.get("/crisis/").status_code == 403
    assert client.get(f"/crisis/cases/{case.pk}/").status_code == 403
    assert AuditLog.objects.filter(action="crisis.denied", actor=people["member"]).count() == 2
    client.logout()
    assert client.get("/crisis/").status_code == 302


def test_claim_contact_close_and_who_sees_the_handle(client, people, source):
    services.posts_ingest(source=source, posts=[post(1), post(2, "有没有人一起死", author="别人")])
    top = Case.objects.order_by("-level").first()
    client.force_login(people["other"])
    page = client.get(f"/crisis/cases/{top.pk}/")
    assert page.status_code == 200 and URGENT in page.content.decode() and "小雨" not in page.content.decode()
    client.force_login(people["responder"])
    queue = client.get("/crisis/")
    assert queue.status_code == 200 and page_problems(queue) == []
    assert "010-82951332" in queue.content.decode()
    assert client.post(f"/crisis/cases/{top.pk}/claim/").status_code == 302
    page = client.get(f"/crisis/cases/{top.pk}/")
    assert "小雨" in page.content.decode() and page_problems(page) == []
    client.post(f"/crisis/cases/{top.pk}/contact/", {"channel": "message", "note": "sent a private message"})
    client.post(f"/crisis/cases/{top.pk}/close/", {"outcome": "reached", "corrected_level": "8"})
    top.refresh_from_db()
    assert top.status == "closed" and top.outcome == "reached" and top.corrected_level == 8 and top.contacts.count() == 1
    assert AuditLog.objects.filter(target_type="crisis.case", target_id=str(top.pk), action="crisis.case_view").count() >= 1
    client.force_login(people["other"])
    assert "小雨" not in client.get(f"/crisis/cases/{top.pk}/").content.decode()
    with pytest.raises(Conflict):
        services.case_claim(case=top, actor=people["other"])


def test_escalation_after_fifteen_minutes_with_a_frozen_clock(people, source, monkeypatch):
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    services.posts_ingest(source=source, posts=[post(1)])
    case = Case.objects.get()
    assert services.cases_escalate(now=start + timedelta(minutes=14, seconds=59)) == 0
    assert services.cases_escalate(now=start + timedelta(minutes=15)) == 1
    assert services.cases_escalate(now=start + timedelta(minutes=30)) == 0  # once per case
    case.refresh_from_db()
    assert case.escalated_at == start + timedelta(minutes=15)


def test_escalation_mail_carries_only_a_link_and_the_level(people, source, django_capture_on_commit_callbacks):
    services.posts_ingest(source=source, posts=[post(1)])
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.cases_escalate(now=timezone.now() + timedelta(minutes=16))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"resp@x.test", "sup@x.test"}  # on duty, and the supervisor; not the off-duty responder
    assert f"https://jusha.example/crisis/cases/{case.pk}/" in message.body and "9" in message.subject
    assert URGENT not in message.body + message.subject and "小雨" not in message.body


def test_claimed_urgent_cases_do_not_escalate(people, source):
    services.posts_ingest(source=source, posts=[post(1)])
    services.case_claim(case=Case.objects.get(), actor=people["responder"])
    assert services.cases_escalate(now=timezone.now() + timedelta(hours=1)) == 0


def test_daily_bulletin_has_counts_not_texts(people, source):
    services.posts_ingest(source=source, posts=[post(1), post(2, "有没有人一起死", author="别人")])
    assert services.bulletin_send() == 2
    body = mail.outbox[0].body
    assert "9: 1" in body and "7: 1" in body and URGENT not in body


@pytest.mark.parametrize("keep", [True, False])
def test_purge_keeps_only_deidentified_text_where_allowed(people, source, settings, keep):
    source.keep_for_research = keep
    source.save()
    services.posts_ingest(source=source, posts=[post(1)])
    case = services.case_claim(case=Case.objects.get(), actor=people["responder"])
    services.case_close(case=case, outcome="false_alarm", corrected_level=3, actor=people["responder"])
    settings.JUSHA_CRISIS_RETENTION_DAYS = 30
    assert services.cases_purge(now=timezone.now() + timedelta(days=29)) == 0
    assert services.cases_purge(now=timezone.now() + timedelta(days=31)) == 1
    case.refresh_from_db()
    assert case.purged_at and bytes(case.author_enc) == b""
    if keep:
        assert Post.objects.get().author_enc == b"" and LabelledExample.objects.get().level == 3
    else:
        assert not Post.objects.exists() and not LabelledExample.objects.exists()


def test_keys_rotate_without_losing_data(source, settings):
    from cryptography.fernet import Fernet

    old = Fernet.generate_key().decode()
    settings.JUSHA_CRISIS_KEYS = [old]
    services.posts_ingest(source=source, posts=[post(1)])
    settings.JUSHA_CRISIS_KEYS = [Fernet.generate_key().decode(), old]
    assert services.rotate_keys() == 2
    settings.JUSHA_CRISIS_KEYS = settings.JUSHA_CRISIS_KEYS[:1]
    assert crypto.decrypt(Post.objects.get().author_enc) == "小雨"


def test_import_command_checks_the_whole_file_first(source, tmp_path):
    good = tmp_path / "posts.jsonl"
    good.write_text("\n".join(json.dumps(post(i), ensure_ascii=False) for i in range(3)), encoding="utf-8")
    call_command("crisis_import", str(good), "--source", "demo")
    assert Post.objects.count() == 3
    call_command("crisis_import", str(good), "--source", "demo")  # again: duplicates, nothing lost
    assert Post.objects.count() == 3
    tsv = tmp_path / "posts.tsv"
    tsv.write_bytes(("id\ttext\tposted_at\tauthor\n" + "\n".join(f"t{i}\t{URGENT}\t2026-12-01T20:00:00+08:00\t小雨" for i in range(2)) + "\nt9\t\t2026-12-01T20:00:00+08:00\t小雨\n").encode("gb18030"))
    with pytest.raises(CommandError, match="1 bad post"):
        call_command("crisis_import", str(tsv), "--source", "demo")
    assert Post.objects.count() == 3
    with pytest.raises(CommandError, match="no source"):
        call_command("crisis_import", str(good), "--source", "nope")


def test_admin_lists_show_no_text(client, people, source):
    services.posts_ingest(source=source, posts=[post(1)])
    client.force_login(people["staff"])
    people["staff"].is_superuser = True
    people["staff"].save()
    page = client.get("/admin/crisis/case/")
    assert page.status_code == 200 and URGENT not in page.content.decode() and "小雨" not in page.content.decode()


def test_corrected_level_becomes_a_training_example(people, source, tmp_path):
    source.keep_for_research = True
    source.save()
    services.posts_ingest(source=source, posts=[post(1)])
    case = services.case_claim(case=Case.objects.get(), actor=people["responder"])
    services.case_close(case=case, outcome="reached", corrected_level=7, actor=people["responder"])
    out = tmp_path / "examples.tsv"
    call_command("crisis_export_examples", str(out))
    assert out.read_text(encoding="utf-8").splitlines() == ["comment\tmyLabel", f"{URGENT}\t7"]


def test_demo_queue_is_not_empty(settings):
    from jusha.demo import crisis as crisis_demo

    staff = make_user("s@demo.test", is_staff=True)
    responder = make_user("r@demo.test")
    assert crisis_demo.load(staff=staff, responder=responder) >= 10
    assert Responder.objects.get(user=responder).on_duty


def test_http_connector_polls_with_a_since_cursor(source, monkeypatch):
    from jusha.crisis import connectors
    from jusha.transparency import remote

    source.feed_url = "https://feed.example/posts"
    source.save()
    asked = []

    def fake_get(url):
        asked.append(url)
        if "since=c2" in url:
            return json.dumps({"posts": [post(1), post(3, CALM)], "cursor": "c3"}).encode()
        return json.dumps({"posts": [post(1), post(2, CALM)], "cursor": "c2"}).encode()

    monkeypatch.setattr(remote, "get", fake_get)
    assert connectors.connectors_poll() == 2
    assert connectors.connectors_poll() == 1  # post 1 again: a duplicate
    source.refresh_from_db()
    assert source.feed_cursor == "c3" and asked == ["https://feed.example/posts", "https://feed.example/posts?since=c2"]
    monkeypatch.setattr(remote, "get", lambda url: b"\xff not json")
    assert connectors.connectors_poll() == 0
    source.refresh_from_db()
    assert source.feed_cursor == "c3"  # a failed poll moves nothing


def test_http_connector_refuses_private_addresses(source, settings):
    from jusha.crisis import connectors

    settings.JUSHA_ALLOW_PRIVATE_FETCH = False
    with pytest.raises(connectors.ConnectorError, match="private or loopback"):
        connectors.HttpJsonConnector("http://127.0.0.1:9/feed").fetch("")


def test_a_claimed_case_can_be_released_back_to_the_queue(client, people, source):
    services.posts_ingest(source=source, posts=[post(1)])
    case = Case.objects.get()
    services.case_claim(case=case, actor=people["responder"])
    with pytest.raises(Forbidden):
        services.case_release(case=case, actor=people["other"])
    case.refresh_from_db()
    assert case.status == "claimed" and case.claimed_by == people["responder"]
    client.force_login(people["responder"])
    answer = client.post(f"/crisis/cases/{case.pk}/release/", follow=True)
    assert answer.status_code == 200
    case.refresh_from_db()
    assert case.status == "open" and case.claimed_by is None
    assert AuditLog.objects.filter(action="crisis.case_release", actor=people["responder"]).exists()
    # Released, the handle is hidden again from the one who let it go; another claims it.
    page = client.get(f"/crisis/cases/{case.pk}/").content.decode()
    assert 'data-testid="author"' not in page and 'data-testid="claim"' in page
    services.case_claim(case=case, actor=people["other"])


def test_team_page_staff_appoint_supervisors_supervisors_grant_responders(client, people, source):
    newcomer = make_user("new@x.test")
    client.force_login(people["responder"])
    assert client.get("/crisis/team/").status_code == 403
    assert client.post("/crisis/team/", {"email": "new@x.test", "role": "responder"}).status_code == 403
    assert not Responder.objects.filter(user=newcomer).exists()

    client.force_login(people["supervisor"])
    page = client.get("/crisis/team/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="team-row"') == 3
    assert not page_problems(page)
    refused = client.post("/crisis/team/", {"email": "new@x.test", "role": "supervisor"})
    assert refused.status_code == 403 and not Responder.objects.filter(user=newcomer).exists()
    unknown = client.post("/crisis/team/", {"email": "nobody@x.test", "role": "responder"})
    assert unknown.status_code == 422 and "sign up first" in unknown.content.decode()
    assert client.post("/crisis/team/", {"email": "NEW@x.test", "role": "responder"}).status_code == 302
    assert Responder.objects.get(user=newcomer).role == "responder"

    client.force_login(people["staff"])
    assert client.post("/crisis/team/", {"email": "new@x.test", "role": "supervisor"}).status_code == 302
    assert Responder.objects.get(user=newcomer).role == "supervisor"
    assert 'data-testid="crisis-links"' in client.get(reverse("accounts:me")).content.decode()


def test_removing_a_responder_puts_their_cases_back_in_the_queue(client, people, source):
    services.posts_ingest(source=source, posts=[post(1)])
    case = Case.objects.get()
    services.case_claim(case=case, actor=people["responder"])
    client.force_login(people["other"])
    assert client.post(f"/crisis/team/{people['responder'].pk}/revoke/").status_code == 403
    assert Responder.objects.filter(user=people["responder"]).exists()
    client.force_login(people["supervisor"])
    assert client.post(f"/crisis/team/{people['supervisor'].pk}/revoke/").status_code == 403
    assert Responder.objects.filter(user=people["supervisor"]).exists()  # only staff remove a supervisor
    assert client.post(f"/crisis/team/{people['responder'].pk}/revoke/").status_code == 302
    assert not Responder.objects.filter(user=people["responder"]).exists()
    case.refresh_from_db()
    assert case.status == "open" and case.claimed_by is None
    client.force_login(people["responder"])
    assert client.get(f"/crisis/cases/{case.pk}/").status_code == 403


def test_api_refuses_an_oversized_body_with_413_and_stores_nothing(client, source, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps([post(i, text="好" * 9000) for i in range(60)])
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    answer = client.post("/api/v1/crisis/posts", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {source.key}")
    assert answer.status_code == 413 and answer.json()["code"]
    assert Post.objects.count() == 0 and Case.objects.count() == 0


def test_http_connector_against_a_real_http_server_on_loopback(source, settings):
    """The connector over a real socket: a feed on 127.0.0.1 answering by since-cursor, one
    broken answer in between; the cursor moves only after posts are stored."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from jusha.crisis import connectors

    settings.JUSHA_ALLOW_PRIVATE_FETCH = True
    pages = {"": {"posts": [post(1), post(2, CALM)], "cursor": "c2"}, "c2": {"posts": [post(3, CALM)], "cursor": "c3"}}
    seen = []
    broken = {"once": True}

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self):
            from urllib.parse import parse_qs, urlparse

            since = parse_qs(urlparse(self.path).query).get("since", [""])[0]
            seen.append(since)
            if since == "c2" and broken.pop("once", False):
                self.send_response(500)
                self.end_headers()
                return
            body = json.dumps(pages.get(since, {"posts": [], "cursor": since})).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        source.feed_url = f"http://127.0.0.1:{server.server_address[1]}/feed"
        source.save()
        assert connectors.connectors_poll() == 2
        assert connectors.connectors_poll() == 0  # the feed fails: nothing stored, cursor kept
        source.refresh_from_db()
        assert source.feed_cursor == "c2"
        assert connectors.connectors_poll() == 1
        source.refresh_from_db()
        assert source.feed_cursor == "c3" and seen == ["", "c2", "c2"]
        assert Post.objects.count() == 3
    finally:
        server.shutdown()
        server.server_close()
