"""One rule for a gift's message: public only when the donor ticked "show my message"
(anonymity hides the name, not the message, and does not publish it either). The donor's
own views (receipt with its link, their account) always show it."""

import json
import re
import uuid

import pytest
from django.test import Client

from jusha.giving.models import Donation
from tests.factories import give, make_member

pytestmark = pytest.mark.django_db

SHOWN, KEPT, ANON_SHOWN, ANON_KEPT = "Shown message 暖冬", "Kept message 私语", "Anonymous shown 加油", "Anonymous kept 悄悄"


@pytest.fixture
def gifts(project):
    return {
        SHOWN: give(project, 1000, name="Li Lei", message=SHOWN, show_message=True),
        KEPT: give(project, 2000, name="Han Mei", message=KEPT),
        ANON_SHOWN: give(project, 3000, anonymous=True, message=ANON_SHOWN, show_message=True),
        ANON_KEPT: give(project, 4000, anonymous=True, message=ANON_KEPT),
    }


def test_the_rule_in_one_place():
    assert Donation(message="hi", show_message=True).public_message == "hi"
    assert Donation(message="hi", show_message=True, anonymous=True).public_message == "hi"
    assert Donation(message="hi").public_message == ""
    assert Donation(message="hi", anonymous=True).public_message == ""
    assert Donation._meta.get_field("show_message").default is False


def test_project_page_wall_shows_only_ticked_messages(client, project, gifts):
    html = client.get(f"/projects/{project.slug}/").content.decode()
    assert SHOWN in html and ANON_SHOWN in html
    assert KEPT not in html and ANON_KEPT not in html
    assert "Li Lei" in html and "A kind guest" in html  # the one default name (issue 14, item 4)


def test_public_pages_never_show_an_unticked_message(project, gifts):
    """The relay and sharing pages, the ledger, the public receipt: wherever a gift appears."""
    from tests.social.conftest import give_via, guest, share

    link = share(project, guest("sharer"))
    give_via(project, link.code, 5000, message=KEPT)
    staff = Client()
    staff.force_login(make_member(project.organisation, role="editor"))
    pages = [f"/projects/{project.slug}/", f"/s/relay/{project.slug}/", f"/ledger/{project.slug}/",
             f"/ledger/{project.slug}/ledger.csv"]
    pages += [f"/donations/{gift.pk}/" for gift in gifts.values()]
    for page in pages:
        response = Client().get(page)
        assert response.status_code == 200, page
        body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        assert KEPT not in body and ANON_KEPT not in body, page
    assert KEPT not in staff.get(f"/s/dashboard/{project.slug}/").content.decode()


def test_public_receipt_shows_a_ticked_message_and_the_donor_sees_their_own(gifts):
    for message, gift in gifts.items():
        public = Client().get(f"/donations/{gift.pk}/").content.decode()
        assert (message in public) == gift.show_message
        own = Client().get(f"/donations/{gift.pk}/?access_token={gift.access_token}", follow=True).content.decode()
        assert message in own
        assert ("shown on the project page" if gift.show_message else "not shown publicly") in own


def test_api_public_answer_follows_the_rule_and_private_answer_has_it(client, gifts):
    for message, gift in gifts.items():
        public = client.get(f"/api/v1/donations/{gift.pk}").json()
        assert public["show_message"] is gift.show_message
        if gift.show_message:
            assert public["message"] == message
        else:
            assert "message" not in public and message not in json.dumps(public, ensure_ascii=False)
        private = client.get(f"/api/v1/donations/{gift.pk}?access_token={gift.access_token}").json()
        assert private["message"] == message


def create(client, slug, body, key=None):
    return client.post(
        f"/api/v1/projects/{slug}/donations", json.dumps(body), content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def test_api_input_show_message_defaults_to_false_and_is_a_boolean(client, project):
    kept = create(client, project.slug, {"amount": 500, "message": "a"})
    assert kept.status_code == 201 and kept.json()["show_message"] is False
    shown = create(client, project.slug, {"amount": 500, "message": "b", "show_message": True})
    assert shown.status_code == 201 and shown.json()["show_message"] is True
    assert dict(Donation.objects.values_list("message", "show_message")) == {"a": False, "b": True}
    for bad in ("yes", 1, None, "true"):
        response = create(client, project.slug, {"amount": 500, "message": "c", "show_message": bad})
        assert response.status_code == 422, bad
        assert set(response.json()) >= {"detail", "code"}
    assert Donation.objects.count() == 2
    assert "show_message" in client.get("/api/openapi.json").json()["components"]["schemas"]["DonationIn"]["properties"]


def test_api_replay_with_show_message_ticked_differs_from_unticked(client, project):
    first = create(client, project.slug, {"amount": 500, "message": "a"}, key="k1")
    same = create(client, project.slug, {"amount": 500, "message": "a", "show_message": False}, key="k1")
    assert first.status_code == same.status_code == 201 and first.json() == same.json()
    other = create(client, project.slug, {"amount": 500, "message": "a", "show_message": True}, key="k1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Donation.objects.count() == 1


def donate_form(client, project) -> str:
    page = client.get(f"/donations/new/{project.slug}/")
    html = page.content.decode()
    assert 'name="show_message"' in html and "Show my message on the project page" in html
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


@pytest.mark.parametrize("ticked", [True, False])
def test_donate_form_checkbox(client, project, ticked):
    body = {"custom": "12.00", "message": "From the form", "idempotency_key": donate_form(client, project)}
    if ticked:
        body["show_message"] = "on"
    response = client.post(f"/donations/new/{project.slug}/", body)
    assert response.status_code == 302
    assert Donation.objects.get().show_message is ticked


def test_demo_shows_some_messages_and_keeps_others(settings):
    from django.core.management import call_command

    settings.JUSHA_DEMO, settings.DEBUG = True, True
    call_command("load_demo", gifts=40)
    with_message = Donation.objects.exclude(message="")
    assert with_message.filter(show_message=True).exists() and with_message.filter(show_message=False).exists()
    assert not Donation.objects.filter(message="", show_message=True).exists()
    project = with_message.filter(show_message=False, status="paid").first().project
    html = Client().get(f"/projects/{project.slug}/").content.decode()
    wall = html[html.index('id="wall-title"'):]
    shown = set(Donation.objects.filter(project=project, show_message=True).values_list("message", flat=True))
    assert any(message in wall for message in shown)
    # A message the wall shows belongs to some gift there that chose to show it.
    for message in set(Donation.objects.filter(project=project).exclude(message="").values_list("message", flat=True)):
        if message in wall:
            assert message in shown



def test_gifts_through_a_campaign_take_the_same_choice():
    from tests.factories import make_campaign, make_project

    warm = make_project(goal=10_000_000)
    campaign = make_campaign(projects=[warm])
    client = Client()
    url = f"/api/v1/campaigns/{campaign.slug}/donations"
    for key, ticked in (("a", True), ("b", False)):
        body = {"project": warm.slug, "amount": 1000, "message": f"campaign {key}", "show_message": ticked}
        response = client.post(url, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201 and response.json()["show_message"] is ticked
    assert dict(Donation.objects.values_list("message", "show_message")) == {"campaign a": True, "campaign b": False}
