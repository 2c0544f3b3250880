"""Monthly giving by API: create (idempotent), list, read, change; and the retention figures."""

import uuid

from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.accounts.auth import member
from jusha.core.errors import Invalid
from jusha.core.idempotency import caller_scope, request_fingerprint, require_key, run_idempotent
from jusha.core.money import money_in
from jusha.core.openapi import errors
from jusha.core.pagination import Page
from jusha.pledges import schemas, services
from jusha.pledges.permissions import access_pledge, pledges_of
from jusha.pledges.schemas import PledgeIn, PledgePatch

router = Router(tags=["pledges"])


def _target(payload: PledgeIn) -> tuple[str, str]:
    given = [(kind, getattr(payload, kind)) for kind in ("project", "cause", "sponsorship") if getattr(payload, kind)]
    if len(given) != 1:
        raise Invalid(_("Give exactly one of project, cause or sponsorship."), code="invalid_target")
    return given[0]


@router.post("/pledges", auth=member, response={201: dict}, openapi_extra=errors(401, 404, 409, idempotent=True))
def pledge_create(request, payload: PledgeIn):
    """Set up monthly giving (月捐). Requires `Idempotency-Key`. Answers 201 with the pledge,
    `status` "active", and `agreement.signing_url`: the provider's page where the donor
    authorises the monthly payments once (no charge is made before). 422 for an amount out
    of range or a day outside 1–28; 409 for a project not taking gifts (with `fund`, the
    cause fund to give to instead, and `alternatives`); 422 `target_unavailable` for a kind
    of target this site does not offer."""
    key = require_key(request.headers)
    data = payload.dict()

    def work(done):
        kind, ref = _target(payload)
        pledge = services.pledge_create(
            donor=request.auth, amount=money_in(payload.amount, payload.currency), day=payload.day, kind=kind, ref=ref,
            return_url=lambda p: f"/pledges/{p.pk}/signed/",
            within=lambda p: done(201, schemas.pledge_out(p)),
        )
        return 201, schemas.pledge_out(pledge)

    status, body, _replayed = run_idempotent(
        scope=caller_scope(request.auth), key=key, fingerprint=request_fingerprint("POST", request.path, data), work=work,
        own_transaction=True,
    )
    return status, body


@router.get("/pledges", auth=member, response=dict, openapi_extra=errors(401))
def pledge_list(request, page: Query[Page]):
    """The caller's pledges, newest first."""
    pledges = pledges_of(user=request.auth)
    return {"items": [schemas.pledge_out(p) for p in page.window(pledges)], "count": pledges.count()}


@router.get("/pledges/{pledge_id}", auth=member, response=dict, openapi_extra=errors(401, 404))
def pledge_detail(request, pledge_id: uuid.UUID):
    return schemas.pledge_out(services.pledge_agreement_confirm(pledge=access_pledge(user=request.auth, pledge_id=pledge_id)))


@router.patch("/pledges/{pledge_id}", auth=member, response=dict, openapi_extra=errors(401, 404, 409))
def pledge_patch(request, pledge_id: uuid.UUID, payload: PledgePatch):
    """Pause, resume or cancel (`status`), change the monthly `amount`, or consent to move a
    pledge whose project closed to its cause fund (`move_to_fund`). Resuming such a pledge
    without that consent: 409 `consent_required`."""
    pledge = access_pledge(user=request.auth, pledge_id=pledge_id)
    amount = money_in(payload.amount, pledge.currency) if payload.amount is not None else None
    pledge = services.pledge_update(pledge=pledge, actor=request.auth, status=payload.status, amount=amount,
                                    move_to_fund=payload.move_to_fund)
    return schemas.pledge_out(pledge)
