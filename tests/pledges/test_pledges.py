"""Monthly giving (月捐): pledges charged by the worker through saved payment agreements,
once per month whatever happens; failures retried (+1, +3, +7 days) with an email each;
time-outs asked about, never charged blindly; a closed project's pledge asks the donor."""

import json
from datetime import date

import pytest
from django.core import mail

from jusha.giving.models import Donation
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import JournalEntry
from jusha.payments.models import SandboxAgreementCharge, SandboxCharge
from jusha.pledges import rules
from jusha.pledges.models import Pledge, PledgeCharge
from jusha.pledges.services import pledge_update
from jusha.projects.selectors import project_sums
from jusha.transparency.models import Fact
from tests.factories import PASSWORD, give, make_project, make_user
from tests.pledges.helpers import run, signed_pledge

pytestmark = pytest.mark.django_db

DEC6, DEC7 = date(2026, 12, 6), date(2026, 12, 7)


@pytest.fixture
def donor():
    return make_user("monthly@example.org")


@pytest.fixture
def project():
    return make_project(goal=10_000_000)


def test_rules_dates_and_retries():
    assert rules.first_charge_date(today=date(2026, 12, 1), day=6) == date(2026, 12, 6)
    assert rules.first_charge_date(today=date(2026, 12, 7), day=6) == date(2027, 1, 6)
    assert rules.next_charge_date(scheduled=date(2026, 12, 28), day=28) == date(2027, 1, 28)
    assert rules.catch_up(scheduled=date(2026, 10, 6), day=6, today=date(2026, 12, 9)) == date(2026, 12, 6)
    assert rules.catch_up(scheduled=date(2026, 10, 6), day=20, today=date(2026, 12, 9)) == date(2026, 12, 20)
    assert [rules.retry_date(scheduled=DEC6, attempts=n) for n in (1, 2, 3, 4)] == [
        date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 13), None]
    assert rules.period_of(DEC6) == "2026-12"


def test_a_month_is_charged_once_as_an_ordinary_paid_gift(donor, project):
    pledge = signed_pledge(donor, project)
    assert pledge.next_charge_on == DEC6
    assert run(date(2026, 12, 5))["succeeded"] == 0  # not due yet
    assert run(DEC6)["succeeded"] == 1
    charge = PledgeCharge.objects.get()
    assert (charge.period, charge.status, charge.attempts) == ("2026-12", "succeeded", 1)
    gift = charge.donation
    gift.refresh_from_db()
    assert gift.status == "paid" and gift.donor == donor and gift.receipt_number and gift.amount == 3_000
    assert JournalEntry.objects.filter(kind="gift", reference=str(gift.pk)).count() == 1
    assert Fact.objects.filter(kind="gift", ref=str(gift.pk)).count() == 1
    assert project_sums([project.pk])[project.pk].raised == 3_000
    # A second run in the same period, even days later, charges nothing.
    assert run(DEC6)["succeeded"] == 0 and run(date(2026, 12, 20))["succeeded"] == 0
    assert PledgeCharge.objects.count() == 1 and SandboxAgreementCharge.objects.count() == 1
    pledge.refresh_from_db()
    assert pledge.next_charge_on == date(2027, 1, 6)
    assert run(date(2027, 1, 6))["succeeded"] == 1 and PledgeCharge.objects.count() == 2
    assert ledger_problems() == []


def test_a_second_charge_row_for_a_period_is_refused_by_the_database(donor, project):
    from django.db import IntegrityError, transaction

    pledge = signed_pledge(donor, project)
    run(DEC6)
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeCharge.objects.create(pledge=pledge, period="2026-12", scheduled_on=DEC6, amount=1, currency="CNY")


def test_failed_charge_retried_plus_1_3_7_with_an_email_each_then_paused(donor, project):
    pledge = signed_pledge(donor, project, outcome="fail_always")
    mail.outbox.clear()
    assert run(DEC6)["failed"] == 1
    charge = PledgeCharge.objects.get()
    assert charge.status == "failed" and charge.next_retry_on == DEC7 and len(mail.outbox) == 1
    assert "2026-12-07" in mail.outbox[0].body
    assert run(DEC6)["failed"] == 0  # not before its day
    for day, attempts in ((DEC7, 2), (date(2026, 12, 9), 3)):
        run(day)
        charge.refresh_from_db()
        assert charge.attempts == attempts and charge.status == "failed"
    run(date(2026, 12, 13))
    charge.refresh_from_db()
    pledge.refresh_from_db()
    assert charge.status == "abandoned" and charge.attempts == 4
    assert (pledge.status, pledge.pause_reason) == ("paused", "payment_failed")
    assert len(mail.outbox) == 4  # one per failed attempt (the last says it is paused)
    assert Donation.objects.filter(status="failed").count() == 4 and Donation.objects.filter(status="paid").count() == 0
    assert ledger_problems() == []


def test_a_retry_that_succeeds_pays_once(donor, project):
    signed_pledge(donor, project, outcome="fail")  # only the next charge fails
    run(DEC6)
    assert run(DEC7)["succeeded"] == 1
    charge = PledgeCharge.objects.get()
    assert (charge.status, charge.attempts) == ("succeeded", 2)
    assert Donation.objects.filter(status="paid").count() == 1


def test_a_timed_out_charge_is_asked_about_never_repeated(donor, project):
    pledge = signed_pledge(donor, project, outcome="timeout")
    assert run(DEC6)["unknown"] == 1
    charge = PledgeCharge.objects.get()
    assert charge.status == "unknown" and charge.donation.status == "pending"
    assert SandboxCharge.objects.filter(status="succeeded").count() == 1  # the provider did take it
    counts = run(DEC6)  # the next run asks, by the charge's reference
    assert counts["succeeded"] == 1
    charge.refresh_from_db()
    assert charge.status == "succeeded" and charge.donation.status == "paid"
    assert SandboxAgreementCharge.objects.filter(agreement__agreement_id=pledge.agreement_id).count() == 1  # never charged twice
    assert Donation.objects.filter(status="paid").count() == 1


def test_an_attempt_a_stopped_run_left_pending_is_asked_about_later_never_charged_twice(donor, project):
    from datetime import timedelta

    from django.utils import timezone

    from jusha.payments.sandbox import SandboxProvider
    from jusha.pledges import charging

    never_sent = signed_pledge(donor, project)
    answer_lost = signed_pledge(make_user("lost@example.org"), project)
    # The run stopped after opening both attempts; the provider took the second one's charge.
    for pledge in (never_sent, answer_lost):
        charging._open_charges(today=DEC6, only=pledge.pk)
    lost = PledgeCharge.objects.get(pledge=answer_lost)
    SandboxProvider().agreement_charge(agreement_id=answer_lost.agreement_id, amount=lost.amount, currency="CNY",
                                       reference=lost.reference, description="Monthly gift")
    assert run(DEC6)["succeeded"] == 0  # fresh attempts may still be in flight: left alone
    assert set(PledgeCharge.objects.values_list("status", flat=True)) == {"pending"}
    Donation.objects.update(created_at=timezone.now() - charging.STALE_PENDING - timedelta(minutes=1))
    assert run(DEC6)["succeeded"] == 2  # asked by reference: one never received (made now), one taken (recorded)
    assert SandboxAgreementCharge.objects.count() == 2 and SandboxCharge.objects.filter(status="succeeded").count() == 2
    assert list(PledgeCharge.objects.values_list("status", "attempts")) == [("succeeded", 1)] * 2
    assert Donation.objects.filter(status="paid").count() == 2
    assert run(DEC6)["succeeded"] == 0
    assert ledger_problems() == []


def test_closed_project_pauses_and_asks_never_moves_without_consent(donor, project, client, platform_fund):
    pledge = signed_pledge(donor, project)
    from jusha.projects.services import project_transition
    project_transition(project=project, target="cancelled", actor=None, reason="closed")
    mail.outbox.clear()
    assert run(DEC6)["paused"] == 1
    pledge.refresh_from_db()
    assert (pledge.status, pledge.pause_reason, pledge.target_kind) == ("paused", "project_closed", "project")
    assert PledgeCharge.objects.count() == 0 and len(mail.outbox) == 1
    client.login(email=donor.email, password=PASSWORD)
    page = client.get("/donations/mine/").content.decode()
    assert 'data-testid="pledge-ask"' in page
    resumed = client.patch(f"/api/v1/pledges/{pledge.pk}", {"status": "active"}, content_type="application/json")
    assert resumed.status_code == 409 and resumed.json()["code"] == "consent_required"
    assert resumed.json()["fund"]["cause"] == "elders"
    pledge.refresh_from_db()
    assert pledge.status == "paused"  # nothing changed
    moved = client.patch(f"/api/v1/pledges/{pledge.pk}", {"move_to_fund": True, "status": "active"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["target"]["kind"] == "cause" and moved.json()["status"] == "active"
    assert run(date(2027, 1, 6))["succeeded"] == 1
    assert Donation.objects.get(status="paid").project == platform_fund.project


def test_one_click_pause_resume_change_cancel_on_my_giving(donor, project, client):
    pledge = signed_pledge(donor, project)
    client.login(email=donor.email, password=PASSWORD)
    page = client.get("/donations/mine/").content.decode()
    assert 'data-testid="pledge"' in page and 'data-testid="pledge-pause"' in page
    client.post(f"/pledges/{pledge.pk}/action/", {"action": "pause"})
    pledge.refresh_from_db()
    assert pledge.status == "paused"
    assert run(DEC6)["succeeded"] == 0  # paused: not charged
    client.post(f"/pledges/{pledge.pk}/action/", {"action": "resume"})
    client.post(f"/pledges/{pledge.pk}/action/", {"action": "amount", "amount": "50"})
    pledge.refresh_from_db()
    assert (pledge.status, pledge.amount) == ("active", 5_000)
    client.post(f"/pledges/{pledge.pk}/action/", {"action": "cancel"})
    pledge.refresh_from_db()
    assert pledge.status == "cancelled" and pledge.next_charge_on is None
    assert run(date(2027, 1, 6))["succeeded"] == 0


def test_annual_consolidated_receipt(donor, project, client):
    signed_pledge(donor, project)
    run(DEC6)
    give(project, 1_000, donor=donor)
    client.login(email=donor.email, password=PASSWORD)
    year = Donation.objects.filter(status="paid").first().paid_at.year
    page = client.get(f"/pledges/receipt/{year}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="annual-total"' in page and "¥40.00" in page
    assert page.count("JS") >= 2  # both receipt numbers


# --- the API ------------------------------------------------------------------------------

def _post(client, body, key="k1"):
    return client.post("/api/v1/pledges", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_api_create_list_patch(donor, project, client):
    client.login(email=donor.email, password=PASSWORD)
    created = _post(client, {"amount": 2_000, "currency": "CNY", "day": 15, "project": project.slug})
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "active" and body["agreement"]["status"] == "pending" and body["agreement"]["signing_url"]
    assert _post(client, {"amount": 2_000, "currency": "CNY", "day": 15, "project": project.slug}).json()["id"] == body["id"]
    listed = client.get("/api/v1/pledges").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    paused = client.patch(f"/api/v1/pledges/{body['id']}", {"status": "paused"}, content_type="application/json")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"


@pytest.mark.parametrize("body,status,code", [
    ({"amount": 2_000, "day": 0}, 422, "invalid_day"),
    ({"amount": 2_000, "day": 29}, 422, "invalid_day"),
    ({"amount": 50, "day": 5}, 422, "amount_too_small"),
    ({"amount": 50_000_000, "day": 5}, 422, "amount_too_large"),
])
def test_api_bad_input_changes_nothing(donor, project, client, body, status, code):
    client.login(email=donor.email, password=PASSWORD)
    response = _post(client, {**body, "project": project.slug})
    assert response.status_code == status and response.json()["code"] == code
    assert Pledge.objects.count() == 0


def test_api_closed_project_offers_the_fund_and_an_unknown_target_is_refused(donor, client, platform_fund):
    client.login(email=donor.email, password=PASSWORD)
    full = make_project(goal=1_000)
    give(full, 1_000)
    refused = _post(client, {"amount": 2_000, "day": 5, "project": full.slug})
    assert refused.status_code == 409 and refused.json()["fund"] == {"cause": "elders", "project": platform_fund.project.slug}
    assert "alternatives" in refused.json()
    # "sponsorship" is a kind the sponsorship app registers (issue 18): an unknown one is 404.
    unknown = _post(client, {"amount": 2_000, "day": 5, "sponsorship": "child-1"}, key="k2")
    assert unknown.status_code == 404 and unknown.json()["code"] == "sponsorship_unknown"
    from jusha.core.errors import Invalid
    from jusha.pledges import targets

    with pytest.raises(Invalid) as unavailable:  # a kind nobody registered
        targets.target_kind("volunteering")
    assert unavailable.value.code == "target_unavailable"
    assert _post(client, {"amount": 2_000, "day": 5}, key="k3").status_code == 422
    assert Pledge.objects.count() == 0


def test_api_needs_login_key_and_hides_others_pledges(donor, project, client):
    assert _post(client, {"amount": 2_000, "day": 5, "project": project.slug}).status_code == 401
    client.login(email=donor.email, password=PASSWORD)
    missing_key = client.post("/api/v1/pledges", json.dumps({"amount": 2_000, "day": 5, "project": project.slug}),
                              content_type="application/json")
    assert missing_key.status_code == 400
    theirs = signed_pledge(make_user("other@example.org"), project)
    response = client.patch(f"/api/v1/pledges/{theirs.pk}", {"status": "cancelled"}, content_type="application/json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"
    assert client.post(f"/pledges/{theirs.pk}/action/", {"action": "cancel"}).status_code == 404
