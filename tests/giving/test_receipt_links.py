"""Receipt links in URLs carry a signed, time-limited, one-use ticket (giving/receipt_links.py):
the receipt page trades it for a key in the browser's session and leaves the address; the
gift's long-lived access token never goes into a URL that we make."""

import re
import time
import uuid
from unittest import mock
from urllib.parse import unquote

import pytest
from django.core import signing
from django.test import Client

from jusha.giving import receipt_links
from jusha.giving.models import Donation
from tests.factories import give

pytestmark = pytest.mark.django_db

MESSAGE = "for the elders, from Xiaoyu"


def link_in(message) -> str:
    """The receipt link of an email, as a path."""
    url = re.search(r"https?://\S+/donations/\S+", message.body).group(0)
    return "/" + url.split("/", 3)[3]


def ticket_of(link: str) -> str:
    return unquote(link.split("ticket=", 1)[1])


def private_parts_shown(client, donation) -> bool:
    return MESSAGE in client.get(f"/donations/{donation.pk}/").content.decode()


@pytest.fixture
def gift(project, mailoutbox):
    donation = give(project, 5000, email="guest@example.org", message=MESSAGE)
    assert len(mailoutbox) == 1
    return donation


def test_the_email_link_carries_a_ticket_not_a_key(gift, mailoutbox):
    link = link_in(mailoutbox[0])
    assert link.startswith(f"/donations/{gift.pk}/?ticket=")
    assert "access_token" not in mailoutbox[0].body and gift.access_token not in mailoutbox[0].body


def test_the_link_opens_the_receipt_once_and_leaves_the_address(gift, mailoutbox):
    link = link_in(mailoutbox[0])
    browser = Client()
    page = browser.get(link)  # what a link checker or a chat preview fetches too: spends nothing
    assert page.status_code == 200 and page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "strict-origin"
    html = page.content.decode()
    assert gift.receipt_number in html and MESSAGE not in html  # the public facts only, so far
    assert 'data-testid="open-receipt"' in html
    assert Client().get(link).status_code == 200  # a second fetch still spends nothing

    ticket = ticket_of(link)
    opened = browser.post(f"/donations/{gift.pk}/", {"ticket": ticket})
    assert opened.status_code == 302 and opened["Location"] == f"/donations/{gift.pk}/"  # the plain address
    assert private_parts_shown(browser, gift)
    assert browser.get(link, follow=True).status_code == 200 and private_parts_shown(browser, gift)  # its own link again

    elsewhere = Client()
    spent = elsewhere.post(f"/donations/{gift.pk}/", {"ticket": ticket}, follow=True)
    assert "This receipt link has already been used." in spent.content.decode()
    assert not private_parts_shown(elsewhere, gift)
    assert "This receipt link has already been used." in elsewhere.get(link, follow=True).content.decode()


def test_an_expired_link_opens_nothing(gift):
    days = 8
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * 86400):
        old = receipt_links.ticket_for(gift, via=receipt_links.EMAIL)
    browser = Client()
    page = browser.post(f"/donations/{gift.pk}/", {"ticket": old}, follow=True)
    assert "This receipt link has expired." in page.content.decode()
    assert not private_parts_shown(browser, gift)
    # An API ticket lives a day, not a week.
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 2 * 86400):
        api = receipt_links.ticket_for(gift, via=receipt_links.API)
    assert receipt_links.ticket_redeem(gift, api) == receipt_links.EXPIRED


def test_a_ticket_opens_only_its_own_gift_and_cannot_be_forged(gift, project):
    other = give(project, 3000, email="other@example.org")
    theirs = receipt_links.ticket_for(other, via=receipt_links.EMAIL)
    mine = receipt_links.ticket_for(gift, via=receipt_links.EMAIL)
    forged = mine[:-3] + ("aaa" if not mine.endswith("aaa") else "bbb")
    unsigned = f"{gift.pk.hex}.m.{uuid.uuid4().hex[:12]}"
    for bad in (theirs, forged, unsigned, "", "x" * 500):
        browser = Client()
        page = browser.post(f"/donations/{gift.pk}/", {"ticket": bad}, follow=True)
        assert page.status_code == 200 and "This receipt link is not valid." in page.content.decode(), bad
        assert not private_parts_shown(browser, gift)
    assert receipt_links.ticket_redeem(gift, mine) == receipt_links.OK  # none of that spent the real one


def test_the_keys_older_emails_carried_open_nothing(gift):
    old_style = signing.dumps(str(gift.pk), salt="jusha.giving.receipt", compress=True)
    browser = Client()
    page = browser.get(f"/donations/{gift.pk}/?access_token={old_style}", follow=True)
    assert "This receipt link is not valid." in page.content.decode()
    assert not private_parts_shown(browser, gift)


def test_the_access_token_still_opens_the_receipt_in_a_browser(gift):
    browser = Client()
    response = browser.get(f"/donations/{gift.pk}/?access_token={gift.access_token}")
    assert response.status_code == 302 and response["Location"] == f"/donations/{gift.pk}/"
    assert response["Referrer-Policy"] == "strict-origin"
    assert private_parts_shown(browser, gift)
    session = browser.session["jusha_donation_tokens"]
    assert gift.access_token not in str(session)  # the session keeps a grant, not the key itself


def test_the_api_gives_a_one_use_receipt_url_and_prefers_the_bearer_header(client, project):
    response = client.post(
        f"/api/v1/projects/{project.slug}/donations", {"amount": 5000, "message": MESSAGE},
        content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 201
    body = response.json()
    assert "?ticket=" in body["receipt_url"] and body["access_token"] not in body["receipt_url"]
    assert "access_token" not in body["receipt_url"]
    detail = client.get(f"/api/v1/donations/{body['id']}", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert detail.json()["message"] == MESSAGE

    path = "/" + body["receipt_url"].split("/", 3)[3]
    ticket = ticket_of(path)
    browser = Client()
    assert browser.post(path.split("?")[0], {"ticket": ticket}).status_code == 302
    assert private_parts_shown(browser, Donation.objects.get(pk=body["id"]))
    assert receipt_links.ticket_redeem(Donation.objects.get(pk=body["id"]), ticket) == receipt_links.USED


def test_the_way_back_from_the_payment_page_carries_a_ticket(project):
    from jusha.payments.models import SandboxCharge

    gift = give(project, 5000, result=None)
    charge = SandboxCharge.objects.get(intent_id=gift.intent_id)
    assert "?ticket=" in charge.return_url and gift.access_token not in charge.return_url


def test_a_donor_whose_link_was_used_asks_for_a_new_one(gift, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    stranger = Client()
    page = stranger.get(f"/donations/{gift.pk}/").content.decode()
    assert 'data-testid="receipt-link-send"' in page
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sent = stranger.post(f"/donations/{gift.pk}/receipt-link/", follow=True)
        assert "a new receipt link is on its way" in sent.content.decode()
    assert len(mailoutbox) == 4 and all(m.to == ["guest@example.org"] for m in mailoutbox)  # the donor's own address
    links = {link_in(m) for m in mailoutbox}
    assert len(links) == 4  # a new ticket each time

    with django_capture_on_commit_callbacks(execute=True):
        refused = stranger.post(f"/donations/{gift.pk}/receipt-link/", follow=True)
    assert "Too many requests" in refused.content.decode() and len(mailoutbox) == 4

    browser = Client()
    newest = link_in(mailoutbox[-1])
    browser.post(f"/donations/{gift.pk}/", {"ticket": ticket_of(newest)})
    assert private_parts_shown(browser, gift)


def test_no_mail_for_a_gift_without_an_address(project, mailoutbox, django_capture_on_commit_callbacks):
    gift = give(project, 5000)
    with django_capture_on_commit_callbacks(execute=True):
        sent = Client().post(f"/donations/{gift.pk}/receipt-link/", follow=True)
    assert sent.status_code == 200 and "a new receipt link is on its way" in sent.content.decode()  # says nothing more
    assert mailoutbox == []
    assert Client().get(f"/donations/{gift.pk}/receipt-link/").status_code == 405


def test_one_network_cannot_mail_every_donor(project, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "receipt_link_network": (2, 3600)}
    gifts = [give(project, 1000, email=f"donor{n}@example.org") for n in range(3)]
    mailoutbox.clear()
    asker = Client()
    for gift in gifts:
        with django_capture_on_commit_callbacks(execute=True):
            asker.post(f"/donations/{gift.pk}/receipt-link/")
    assert [m.to for m in mailoutbox] == [["donor0@example.org"], ["donor1@example.org"]]
