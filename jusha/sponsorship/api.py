"""The sponsorship API: public profiles, sponsoring (idempotent: it opens the first
month's gift), and a sponsorship for its sponsor or organisation."""

import uuid

from ninja import Query, Router

from jusha.accounts.auth import member
from jusha.core.client import ClientContext
from jusha.core.idempotency import caller_scope, request_fingerprint, require_key, run_idempotent
from jusha.core.money import money_in
from jusha.core.openapi import errors
from jusha.core.pagination import Page
from jusha.core.ratelimit import client_ip, rate_limit
from jusha.sponsorship import permissions, schemas, selectors, services
from jusha.sponsorship.schemas import BeneficiaryListOut, RenewIn, SponsorshipIn

router = Router(tags=["sponsorship"])


@router.get("/sponsorship/beneficiaries", response=BeneficiaryListOut, auth=None, openapi_extra=errors(422),
            summary="Students waiting for or with a sponsor (public profiles)")
def beneficiary_list(request, page: Query[Page], region: str = "", stage: str = ""):
    """Public, pseudonymous profiles only: alias, age band, province, school stage, need,
    status. Filter by `region` (a GB/T 2260 code: its province is used) and `stage`."""
    items = selectors.beneficiaries_public(region=region[:6], stage=stage[:12])
    return {"items": [selectors.public_profile(b) for b in page.window(items)], "count": items.count()}


@router.post("/sponsorships", auth=member, response={201: dict}, openapi_extra=errors(401, 403, 404, 409, 429, idempotent=True),
             summary="Sponsor a student")
def sponsorship_create(request, payload: SponsorshipIn):
    """Takes a place among the student's sponsors and opens the first month as a gift:
    send the donor to `first_month.payment_url`. Requires `Idempotency-Key`. 409
    `no_place_left` when another donor took the last place first."""
    key = require_key(request.headers)
    data = payload.dict()
    user = request.auth
    client = ClientContext.of(request)

    def work(done):
        rate_limit("donation_create", client_ip(request))
        beneficiary = permissions.access_public_beneficiary(pk=data["beneficiary"])
        sponsorship, donation, token = services.sponsorship_create(
            beneficiary=beneficiary, donor=user, amount=money_in(data["amount"], data["currency"]), months=data["months"],
            purpose=data["purpose"], client=client,
            within=lambda s, d, t: done(201, schemas.created_out(s, d, t)),
        )
        return 201, schemas.created_out(sponsorship, donation, token)

    status, body, _replayed = run_idempotent(
        scope=caller_scope(user), key=key, fingerprint=request_fingerprint("POST", request.path, data), work=work,
        own_transaction=True,
    )
    return status, body


@router.get("/sponsorships/{sponsorship_id}", auth=member, response=dict, openapi_extra=errors(401, 404),
            summary="One sponsorship (its sponsor or organisation)")
def sponsorship_detail(request, sponsorship_id: uuid.UUID):
    """Paid in, disbursed and held to the fen; the report schedule (and whether one is
    late); the latest follow-up; for the sponsor, the pay page of a month waiting."""
    sponsorship = permissions.access_sponsorship(user=request.auth, pk=sponsorship_id)
    return schemas.sponsorship_out(sponsorship, for_sponsor=sponsorship.viewer_is_sponsor)


@router.post("/sponsorships/{sponsorship_id}/renew", auth=member, response={201: dict},
             openapi_extra=errors(401, 403, 404, 409, 429, idempotent=True), summary="Renew a completed term")
def sponsorship_renew(request, sponsorship_id: uuid.UUID, payload: RenewIn):
    """The sponsor renews a completed term for the same student, at the same monthly amount,
    for `months` more: a new sponsorship linked to the last, with its monthly pledge, and
    its first month opened as a gift (`first_month.payment_url`). Requires
    `Idempotency-Key`. 403 `not_sponsor` for anyone but the sponsor; 409 `not_renewable`
    unless the term is completed with the student still in school, 409 `no_place_left`
    when another donor sponsors the student meanwhile."""
    key = require_key(request.headers)
    data = payload.dict()
    user = request.auth
    client = ClientContext.of(request)

    def work(done):
        rate_limit("donation_create", client_ip(request))
        sponsorship = permissions.access_sponsorship(user=user, pk=sponsorship_id)
        renewed, donation, token = services.sponsorship_renew(
            sponsorship=sponsorship, actor=user, months=data["months"], client=client,
            within=lambda s, d, t: done(201, schemas.created_out(s, d, t)),
        )
        return 201, schemas.created_out(renewed, donation, token)

    status, body, _replayed = run_idempotent(
        scope=caller_scope(user), key=key, fingerprint=request_fingerprint("POST", request.path, data), work=work,
        own_transaction=True,
    )
    return status, body
