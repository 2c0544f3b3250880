"""A responder on duty claims the top case of the crisis queue, logs a contact and closes it."""

import pytest

from jusha.crisis import services
from jusha.crisis.models import Case
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_responder_claims_the_top_case_logs_contact_and_closes(page, live_server, settings, tmp_path):
    settings.JUSHA_CRISIS_MODEL_PATH = str(tmp_path / "absent.bin")
    services.scorer.cache_clear()
    staff = make_user("staff@x.test", is_staff=True)
    responder = make_user("resp@x.test")
    services.role_grant(user=responder, role="responder", actor=staff)
    services.role_grant(user=staff, role="supervisor", actor=staff)
    source, _key = services.source_create(name="journey", actor=staff)
    services.posts_ingest(source=source, posts=[  # invented posts
        {"id": "1", "text": "最近心情不好，活着没意思", "author": "甲", "posted_at": "2026-12-01T20:00:00+08:00"},
        {"id": "2", "text": "我今晚就从楼顶跳下去，遗书写好了", "author": "乙", "posted_at": "2026-12-01T19:00:00+08:00"},
        {"id": "3", "text": "有没有人一起死", "author": "丙", "posted_at": "2026-12-01T21:00:00+08:00"},
    ])
    top = Case.objects.order_by("-level").first()

    page.goto(f"{live_server.url}/accounts/login/?next=/crisis/")
    page.locator("input[name=username]").fill(responder.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.locator("[data-testid=queue]").wait_for()
    page.locator("[data-testid=case-row] a").first.click()
    assert page.url.endswith(f"/crisis/cases/{top.pk}/")
    assert page.locator("[data-testid=hotlines]").inner_text().count("-") >= 2
    page.locator("[data-testid=claim]").click()
    assert page.locator("[data-testid=author]").inner_text() == "乙"
    page.locator("[data-testid=contact-form] select[name=channel]").select_option("message")
    page.locator("[data-testid=contact-form] button[type=submit]").click()
    page.locator("[data-testid=close-form] select[name=outcome]").select_option("hotline")
    page.locator("[data-testid=close-form] input[name=corrected_level]").fill("9")
    page.locator("[data-testid=close-form] button[type=submit]").click()
    page.locator("[data-testid=case-status]").wait_for()
    top.refresh_from_db()
    assert top.status == "closed" and top.outcome == "hotline" and top.contacts.count() == 1 and top.claimed_by == responder
