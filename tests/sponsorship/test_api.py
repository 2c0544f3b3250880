"""The sponsorship API: public profiles only; sponsoring is idempotent and opens the first
month; a sponsorship is seen by its sponsor and its organisation only."""

import pytest

from jusha.accounts.services import api_token_create
from jusha.sponsorship.models import Payment, Sponsorship
from tests.factories import make_member, make_org, make_user
from tests.sponsorship.conftest import make_beneficiary, pay_month

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = api_token_create(name="test", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_list_shows_public_profiles_only_and_filters(client, programme, beneficiary):
    make_beneficiary(programme, alias="小明", region_code="110101", stage="junior", legal_name="王小明")
    body = client.get("/api/v1/sponsorship/beneficiaries").json()
    assert body["count"] == 2
    item = body["items"][0]
    assert set(item) >= {"id", "alias", "age_band", "region", "stage", "need", "status"}
    assert item["region"] == "510000"  # the province, never the county
    text = str(body)
    assert "李小红" not in text and "王小明" not in text and "李大山" not in text and "510722" not in text
    only = client.get("/api/v1/sponsorship/beneficiaries?region=110000&stage=junior").json()
    assert [i["alias"] for i in only["items"]] == ["小明"]
    assert client.get("/api/v1/sponsorship/beneficiaries?limit=0").status_code == 422


def test_sponsoring_by_api_is_idempotent_and_the_place_is_kept(client, beneficiary):
    donor = make_user()
    payload = {"beneficiary": beneficiary.pk, "amount": 30000, "currency": "CNY", "months": 36}
    headers = bearer(donor)
    assert client.post("/api/v1/sponsorships", payload, content_type="application/json", **headers).status_code == 400
    first = client.post("/api/v1/sponsorships", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "pending" and body["first_month"]["payment_url"]
    again = client.post("/api/v1/sponsorships", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **headers)
    assert again.status_code == 201 and again.json() == body
    assert Sponsorship.objects.count() == 1 and Payment.objects.count() == 1
    other = client.post("/api/v1/sponsorships", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2",
                        **bearer(make_user()))
    assert other.status_code == 409 and other.json()["code"] == "no_place_left"
    assert Sponsorship.objects.count() == 1


def test_bad_input_is_refused_clearly(client, beneficiary):
    headers = {**bearer(make_user()), "HTTP_IDEMPOTENCY_KEY": "x"}
    def post(**changes):
        payload = {"beneficiary": beneficiary.pk, "amount": 30000, "currency": "CNY", "months": 12, **changes}
        headers["HTTP_IDEMPOTENCY_KEY"] += "x"
        return client.post("/api/v1/sponsorships", payload, content_type="application/json", **headers)
    assert post(months=0).json()["code"] == "months_invalid"
    assert post(amount=-5).status_code == 422
    assert post(currency="XXX").status_code == 422
    assert post(beneficiary=999999).status_code == 404
    assert client.post("/api/v1/sponsorships", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="z").status_code == 401
    assert Sponsorship.objects.count() == 0


def test_a_sponsorship_is_seen_by_its_sponsor_and_organisation_only(client, beneficiary, owner):
    donor = make_user()
    body = client.post("/api/v1/sponsorships", {"beneficiary": beneficiary.pk, "amount": 30000, "currency": "CNY", "months": 12},
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **bearer(donor)).json()
    pay_month(Payment.objects.get().donation)
    mine = client.get(f"/api/v1/sponsorships/{body['id']}", **bearer(donor))
    assert mine.status_code == 200
    data = mine.json()
    assert data["status"] == "active" and data["figures"] == {"paid_in": 30000, "fee": 0, "disbursed": 0, "redirected": 0, "held": 30000}
    assert "李小红" not in str(data)
    assert client.get(f"/api/v1/sponsorships/{body['id']}", **bearer(owner)).status_code == 200
    assert client.get(f"/api/v1/sponsorships/{body['id']}", **bearer(make_user())).status_code == 404
    assert client.get(f"/api/v1/sponsorships/{body['id']}", **bearer(make_member(make_org(), "owner"))).status_code == 404
    assert client.get(f"/api/v1/sponsorships/{body['id']}").status_code == 401


def test_sponsoring_answers_with_the_monthly_pledge_to_authorise(client, beneficiary):
    donor = make_user()
    body = client.post("/api/v1/sponsorships", {"beneficiary": beneficiary.pk, "amount": 30000, "currency": "CNY", "months": 12},
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="p", **bearer(donor)).json()
    pledge = body["pledge"]
    assert pledge["status"] == "active" and pledge["agreement"] == "pending" and pledge["signing_url"]
    mine = client.get("/api/v1/pledges", **bearer(donor)).json()["items"]
    assert [(p["target"]["kind"], p["target"]["ref"], p["amount"]) for p in mine] == [("sponsorship", body["id"], 30000)]


def test_the_sponsor_renews_a_completed_term_by_api(client, beneficiary, owner):
    from jusha.sponsorship import casework

    donor = make_user()
    body = client.post("/api/v1/sponsorships", {"beneficiary": beneficiary.pk, "amount": 30000, "currency": "CNY", "months": 1},
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="a", **bearer(donor)).json()
    pay_month(Payment.objects.get().donation)
    sponsorship = Sponsorship.objects.get(pk=body["id"])

    def renew(user, key="r", months=12):
        return client.post(f"/api/v1/sponsorships/{body['id']}/renew", {"months": months}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY=key, **bearer(user))

    assert renew(donor).status_code == 409  # not completed yet
    casework.report_post(sponsorship=sponsorship, actor=owner, kind="outcome", letter="这学期结束了，我想继续读下去。")
    casework.term_complete(sponsorship=sponsorship, actor=owner, outcome="renewed", note="Continuing at school")
    assert renew(make_user(), key="x").status_code == 404
    before = Sponsorship.objects.count()
    first = renew(donor, key="r2")
    assert first.status_code == 201
    again = renew(donor, key="r2")
    assert again.status_code == 201 and again.json() == first.json()  # a replay: one renewal
    assert Sponsorship.objects.count() == before + 1
    renewed = Sponsorship.objects.get(pk=first.json()["id"])
    assert renewed.renewed_from_id == sponsorship.pk and renewed.months == 12 and renewed.amount == 30000
    assert first.json()["pledge"]["agreement"] == "pending" and first.json()["first_month"]["payment_url"]
    assert renew(donor, key="r3").status_code == 409  # the donor already sponsors the student again
