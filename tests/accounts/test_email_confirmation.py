"""Confirming the e-mail address: a signed, time-limited link mailed at sign-up (and again,
rate-limited, from the account page) proves the mailbox; only then can the account claim the
guest gifts made with that address."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jusha.accounts import services
from jusha.accounts.models import User
from jusha.giving.models import Donation
from tests.factories import give, make_project, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-fresh-and-long-passphrase"


def sign_up(client, email="new@example.org"):
    """The sign-up form, with the e-mail it queues for after the commit sent."""
    from django.test import TestCase

    data = {"email": email, "display_name": "", "password1": PASSWORD, "password2": PASSWORD}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:signup"), data, follow=True)


def post_sending(client, url, **kwargs):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, **kwargs)


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_sign_up_mails_a_link_and_the_account_starts_unconfirmed(client):
    page = sign_up(client, "New@Example.org")
    user = User.objects.get()
    assert user.email_verified_at is None
    (message,) = mail.outbox
    assert message.to == ["new@example.org"] and "\n" not in message.subject
    assert message.content_subtype == "plain" and "new@example.org" in message.body
    assert "We have sent a link to new@example.org" in page.content.decode()
    assert 'data-testid="email-unconfirmed"' in client.get(reverse("accounts:me")).content.decode()


def test_opening_the_link_shows_a_button_and_only_the_post_confirms():
    client = Client()
    sign_up(client)
    path = link_path(mail.outbox[0])
    visitor = Client()  # the link works in any browser, logged in or not
    page = visitor.get(path)
    assert page.status_code == 200 and 'data-testid="confirm-email"' in page.content.decode()
    assert User.objects.get().email_verified_at is None  # a mail scanner's GET changes nothing
    done = visitor.post(path)
    assert done.status_code == 302 and done.url == reverse("accounts:login")
    confirmed_at = User.objects.get().email_verified_at
    assert confirmed_at is not None
    assert visitor.post(path).status_code == 302  # again: nothing changes
    assert User.objects.get().email_verified_at == confirmed_at
    assert 'data-testid="email-unconfirmed"' not in client.get(reverse("accounts:me")).content.decode()
    assert client.get(path).status_code == 302  # already confirmed: back to the account


@pytest.mark.parametrize("breakage", ["tampered", "other_salt", "garbage", "email_changed", "inactive"])
def test_a_broken_link_is_refused_and_changes_nothing(client, breakage):
    user = make_user("someone@example.org")
    token = services.email_confirmation_token(user)
    if breakage == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif breakage == "other_salt":
        token = signing.dumps({"u": user.pk, "e": user.email}, compress=True)
    elif breakage == "garbage":
        token = "not-a-token"
    elif breakage == "email_changed":
        User.objects.filter(pk=user.pk).update(email="changed@example.org")
    elif breakage == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    path = reverse("accounts:email_confirm", args=[token])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This confirmation link is not valid" in response.content.decode()
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_an_expired_link_is_refused_with_a_way_to_get_a_new_one(client, monkeypatch):
    user = make_user("late@example.org")
    token = services.email_confirmation_token(user)
    later = time.time() + services.EMAIL_CONFIRM_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(reverse("accounts:email_confirm", args=[token]))
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_the_link_can_be_sent_again_from_the_account_page_within_a_limit(client, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "email_confirm": (2, 3600)}
    user = make_user("again@example.org")
    client.force_login(user)
    url = reverse("accounts:email_confirm_resend")
    assert client.get(url).status_code == 405
    assert [post_sending(client, url).status_code for _ in range(2)] == [302, 302]
    assert len(mail.outbox) == 2 and all(m.to == ["again@example.org"] for m in mail.outbox)
    refused = post_sending(client, url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(mail.outbox) == 2  # past the limit nothing is sent
    # Either mailed link confirms the address.
    assert client.post(link_path(mail.outbox[0])).status_code == 302
    assert User.objects.get(pk=user.pk).email_verified_at is not None


def test_resending_needs_log_in_and_an_unconfirmed_address(client):
    url = reverse("accounts:email_confirm_resend")
    assert post_sending(client, url).status_code == 302 and not mail.outbox  # to the log-in page
    client.force_login(make_user("done@example.org", email_verified_at=timezone.now()))
    page = post_sending(client, url, follow=True)
    assert "already confirmed" in page.content.decode() and not mail.outbox


def test_a_guest_gift_is_claimed_only_once_the_address_is_confirmed():
    """The whole path: a guest gift, a sign-up with its address, a refused claim, the link, the claim."""
    gift = give(make_project(), 5000, email="guest@example.org")
    mail.outbox.clear()
    client = Client()
    sign_up(client, "guest@example.org")
    (confirmation,) = mail.outbox
    client.get(f"/donations/{gift.pk}/?access_token={gift.access_token}")
    page = client.post(f"/donations/{gift.pk}/claim/", follow=True)
    assert "Confirm your email address first" in page.content.decode()
    assert Donation.objects.get(pk=gift.pk).donor_id is None
    client.post(link_path(confirmation))
    client.post(f"/donations/{gift.pk}/claim/")
    assert Donation.objects.get(pk=gift.pk).donor.email == "guest@example.org"
