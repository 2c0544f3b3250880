"""Volunteering in a browser, on phones: a member signs up for a shift; the organiser's
phone shows the rotating check-in code; the member opens the code's link and checks in,
later checks out; the organiser confirms the minutes; the member's certificate links to a
public page that verifies each entry against the signed log."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jusha.transparency.services import log_sequence
from jusha.volunteering.models import CheckIn, HoursRecord, Signup
from tests.factories import PASSWORD
from tests.volunteering.conftest import make_activity, volunteer

pytestmark = pytest.mark.django_db(transaction=True)


def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    return context, page, blocked


def log_in(page, url, user, next_path):
    page.goto(f"{url}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def scan(mine, theirs, url, shift, purpose):
    """The organiser's screen shows a fresh code; the member's phone opens its link and
    presses the button. The code screen reloads itself when its code changes: a reload
    of the previous screen may land just as the next one is asked for, so the link is
    read again until it is the wanted screen's; and a code lasts 30 to 60 s, so on a
    machine loaded enough to take longer the member scans the new one, as they would."""
    pattern = re.escape(url) + rf"/volunteer/c/\?t={purpose}\.\d+\.\d+\.[A-Za-z0-9_-]{{22}}"
    response = None
    for _attempt in range(3):
        theirs.goto(f"{url}/volunteer/shift/{shift.pk}/code/" + ("?purpose=out" if purpose == "out" else ""))
        assert theirs.locator(".qr-box svg path").count() == 1
        link = theirs.locator(".qr-url").get_attribute("href")
        if not re.fullmatch(pattern, link):
            continue
        response = mine.goto(link)
        if response.status != 409:
            break
    assert response is not None and response.status == 200, mine.content()
    mine.locator("button.big").click()


def test_sign_up_check_in_by_qr_link_check_out_confirm_and_verify(browser, live_server):
    activity = make_activity(starts_in=timedelta(minutes=20), hours=2)
    shift = activity.shifts.get()
    member = volunteer(display_name="韩梅梅")
    organiser = activity.created_by
    contexts, blocks = [], []
    try:
        # 1. The member signs up on their phone.
        context, mine, blocked = phone(browser)
        contexts.append(context), blocks.append(blocked)
        log_in(mine, live_server.url, member, f"/volunteer/a/{activity.pk}/")
        mine.locator(f"form[action='/volunteer/shift/{shift.pk}/signup/'] button").click()
        mine.wait_for_selector(".messages .success")
        assert Signup.objects.get(volunteer=member).status == "confirmed"

        # 2. The organiser's phone shows the shift's code; the member opens the link it holds.
        context, theirs, blocked = phone(browser)
        contexts.append(context), blocks.append(blocked)
        log_in(theirs, live_server.url, organiser, f"/volunteer/shift/{shift.pk}/run/")
        scan(mine, theirs, live_server.url, shift, "in")
        mine.wait_for_selector("text=签到成功")
        assert CheckIn.objects.filter(volunteer=member).count() == 1

        # Two hours pass (the shift started 20 minutes after the check-in, and has ended).
        start = timezone.now() - timedelta(hours=2, minutes=10)
        shift.starts_at, shift.ends_at = start, start + timedelta(hours=2)
        shift.save(update_fields=["starts_at", "ends_at"])
        CheckIn.objects.filter(volunteer=member).update(checked_in_at=start - timedelta(minutes=15))

        # 3. Check out by the check-out code.
        scan(mine, theirs, live_server.url, shift, "out")
        mine.wait_for_selector("text=签退成功")
        assert HoursRecord.objects.get(volunteer=member).minutes == 120

        # 4. The organiser confirms; the log's sequencer (the worker) takes the fact in.
        theirs.goto(f"{live_server.url}/volunteer/org/{activity.organisation.slug}/")
        theirs.locator("form[action$='/confirm/'] button").click()
        theirs.wait_for_selector(".messages .success")
        assert HoursRecord.objects.get(volunteer=member).status == "confirmed"
        log_sequence()

        # 5. The member's certificate verifies against the log.
        mine.goto(f"{live_server.url}/volunteer/me/")
        mine.locator(f"a[href='/volunteer/certificate/{timezone.localdate().year}/']").click()
        assert mine.locator(".cert-name").inner_text() == "韩梅梅"
        assert mine.locator(".cert-qr svg").count() == 1
        mine.locator(".noprint a").click()
        mine.wait_for_selector(".verdict.ok")
        assert "韩梅梅" in mine.locator(".verdict").inner_text()
        assert mine.locator(".entry .pill.ok").count() == 1
    finally:
        for context in contexts:
            context.close()
    assert all(blocked == [] for blocked in blocks), blocks
