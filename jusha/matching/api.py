"""Matching pools in the API: public reads (rules, figures, seed hash, every match for
audit) and the writes of sponsors and staff."""

import uuid

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.accounts.auth import anyone, member
from jusha.core.errors import Invalid
from jusha.core.idempotency import caller_scope, request_fingerprint, require_key, run_idempotent
from jusha.core.openapi import errors
from jusha.core.pagination import page_query
from jusha.matching import schemas, selectors, services
from jusha.matching.permissions import access_match_for_review, access_pool, pool_references
from jusha.matching.schemas import DecisionIn, DepositIn, PoolIn

MatchesPage = page_query(default=100, maximum=500)

router = Router(tags=["matching"])


def _refs(payload: PoolIn) -> dict:
    """The organisation, campaign and projects a new pool names, or 422."""
    refs = pool_references(sponsor=payload.sponsor, campaign=payload.campaign, projects=payload.projects)
    for moment in (payload.starts_at, payload.ends_at):
        if moment is not None and timezone.is_naive(moment):
            raise Invalid(_("Times need a time zone offset (RFC 3339)."), code="invalid_window")
    return refs


@router.post("/pools", auth=member, response={201: dict}, summary="Set up a matching pool", openapi_extra=errors(409))
def pool_create(request, payload: PoolIn):
    """A draft pool, by the sponsor's owners or finance members (or staff). Its rules are
    fixed from now on, and its seed's SHA-256 is published."""
    refs = _refs(payload)
    pool = services.pool_create(actor=request.auth, **refs, **payload.rules())
    return 201, schemas.pool_out(selectors.pool_for_answer(pool))


@router.get("/pools/{pool_id}", auth=anyone, response=dict, summary="A matching pool: rules, figures, seed hash")
def pool_detail(request, pool_id: int):
    return schemas.pool_out(selectors.pool_for_answer(access_pool(user=request.auth, pk=pool_id)))


@router.get("/pools/{pool_id}/matches", auth=anyone, response=dict, summary="Every match of a pool, for audit")
def pool_matches(request, pool_id: int, page: Query[MatchesPage]):
    """Once the seed is published, anyone can recompute each random ratio from the donation id."""
    pool = access_pool(user=request.auth, pk=pool_id)
    matches = selectors.pool_matches(pool)
    return {"items": [schemas.match_out(m) for m in page.window(matches)], "count": matches.count()}


@router.post("/pools/{pool_id}/deposits", auth=member, response={201: dict}, summary="Deposit", openapi_extra=errors(409, idempotent=True))
def pool_deposit(request, pool_id: int, payload: DepositIn):
    """Staff record money received from the sponsor. Requires `Idempotency-Key`."""
    key = require_key(request.headers)
    data = payload.dict()

    def work():
        pool = access_pool(user=request.auth, pk=pool_id)
        amount = payload.amount_in(pool.currency)
        deposit = services.pool_deposit(pool=pool, actor=request.auth, amount=amount, reference=payload.reference)
        return 201, schemas.deposit_out(deposit)

    status, body, _replayed = run_idempotent(
        scope=caller_scope(request.auth), key=key, work=work,
        fingerprint=request_fingerprint("POST", request.path, data),
    )
    return status, body


@router.post("/pools/{pool_id}/activate", auth=member, response={200: dict}, summary="Activate a pool", openapi_extra=errors(409))
def pool_activate(request, pool_id: int):
    """Staff: only a fully deposited pool whose window is not over."""
    pool = access_pool(user=request.auth, pk=pool_id)
    pool = services.pool_transition(pool=pool, target="active", actor=request.auth)
    return 200, schemas.pool_out(selectors.pool_for_answer(pool))


@router.post("/matches/{donation_id}/release", auth=member, response={200: dict}, summary="Release", openapi_extra=errors(409))
def match_release(request, donation_id: uuid.UUID, payload: DecisionIn):
    match = access_match_for_review(user=request.auth, donation_id=donation_id)
    match = services.match_release(match=match, actor=request.auth, note=payload.note)
    return 200, schemas.match_out(match)


@router.post("/matches/{donation_id}/reject", auth=member, response={200: dict}, summary="Reject", openapi_extra=errors(409))
def match_reject(request, donation_id: uuid.UUID, payload: DecisionIn):
    match = access_match_for_review(user=request.auth, donation_id=donation_id)
    match = services.match_reject(match=match, actor=request.auth, note=payload.note)
    return 200, schemas.match_out(match)
