"""Monthly giving by API: create (idempotent), list, read, change; and the retention figures."""

import uuid

from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.accounts.auth import member, token_user
from jusha.organisations.permissions import access_organisation
from jusha.pledges.stats import retention_figures
from jusha.projects.permissions import access_project
from jusha.core.errors import Invalid
from jusha.core.idempotency import caller_scope, request_fingerprint, require_key, run_idempotent
from jusha.core.money import money_in
from jusha.core.openapi import errors
from jusha.core.pagination import Page
from jusha.pledges import schemas, services
from jusha.pledges.permissions import access_pledge, pledges_of
from jusha.pledges.schemas import PledgeIn, PledgePatch

router = Router(tags=["pledges"])
MEMBER_ROLES = {"owner", "editor", "finance", "staff"}


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


@router.get("/stats/retention", auth=None, response=dict, tags=["stats"], openapi_extra=errors(403, 404))
def retention(request, organisation: str = Query("", max_length=80, description="An organisation's slug (its members)"),
              project: str = Query("", max_length=80, description="A project's slug (its organisation's members)")):
    """Retention figures: the share of donors who gave again within 12 months of their first
    gift (`repeat_rate`), gifts per donor, the monthly cohort table (`cohorts`: each month's
    new donors and the share of them who gave in each month after) and monthly pledge churn.
    The platform's are public; an organisation's or a project's are for its members and staff."""
    user = request.user if request.user.is_authenticated else token_user(_bearer(request))
    if project:
        figures = retention_figures(project=access_project(user=user, slug=project, roles=MEMBER_ROLES))
    elif organisation:
        figures = retention_figures(organisation=access_organisation(user=user, slug=organisation))
    else:
        figures = retention_figures()
    return {"scope": "project" if project else "organisation" if organisation else "platform", **figures.as_dict()}


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""
