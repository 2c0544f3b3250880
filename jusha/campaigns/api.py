"""Campaigns in the API: public reads with live totals, leaderboard and recent gifts;
staff create campaigns and review applications; organisations apply; anyone gives."""

from ninja import Query, Router

from jusha.accounts.auth import anyone, member
from jusha.campaigns import schemas, selectors, services
from jusha.campaigns.permissions import access_application, access_campaign
from jusha.campaigns.schemas import ApplicationIn, CampaignDonationIn, CampaignIn, TransitionIn
from jusha.core.idempotency import request_fingerprint, require_key
from jusha.core.pagination import Page
from jusha.core.openapi import errors
from jusha.giving.api import open_gift
from jusha.projects.permissions import access_project

router = Router(tags=["campaigns"])


def _detail(campaign) -> dict:
    selectors.with_figures([campaign])
    return schemas.campaign_detail(
        campaign, pools=selectors.pools_of(campaign), leaderboard=selectors.leaderboard(campaign),
        recent=selectors.ticker(campaign),
    )


@router.get("/campaigns", auth=None, response=dict, summary="Published campaigns")
def campaign_list(request, page: Query[Page]):
    campaigns = selectors.public_campaigns()
    page = selectors.with_figures(page.window(campaigns))
    return {"items": [schemas.campaign_item(c) for c in page], "count": campaigns.count()}


@router.get("/campaigns/{slug}", auth=anyone, response=dict, summary="One campaign, with live totals")
def campaign_detail(request, slug: str):
    return _detail(access_campaign(user=request.auth, slug=slug))


@router.post("/campaigns", auth=member, response={201: dict}, summary="Create a campaign (staff)", openapi_extra=errors(409))
def campaign_create(request, payload: CampaignIn):
    campaign = services.campaign_create(actor=request.auth, **payload.dict())
    return 201, _detail(campaign)


@router.post("/campaigns/{slug}/applications", auth=member, response={201: dict}, summary="Apply", openapi_extra=errors(409))
def application_create(request, slug: str, payload: ApplicationIn):
    campaign = access_campaign(user=request.auth, slug=slug)
    project = access_project(user=request.auth, slug=payload.project)
    application = services.application_submit(
        campaign=campaign, project=project, actor=request.auth, pitch=payload.pitch
    )
    return 201, schemas.application_out(application)


@router.post(
    "/campaigns/{slug}/applications/{application_id}/transition", auth=member, response={200: dict}, openapi_extra=errors(409),
    summary="Accept, turn down or withdraw an application",
)
def application_transition(request, slug: str, application_id: int, payload: TransitionIn):
    campaign = access_campaign(user=request.auth, slug=slug)
    application = access_application(user=request.auth, campaign=campaign, pk=application_id)
    application = services.application_transition(
        application=application, target=payload.target, actor=request.auth, reason=payload.reason
    )
    return 200, schemas.application_out(application)


@router.post("/campaigns/{slug}/donations", auth=anyone, response={201: dict}, summary="Give", openapi_extra=errors(409, 429, idempotent=True))
def campaign_donation(request, slug: str, payload: CampaignDonationIn):
    """Open a gift to a project of an open campaign; its match is decided when it is paid.
    Requires `Idempotency-Key`; answers as `POST /projects/{slug}/donations` does."""
    key = require_key(request.headers)
    user = request.auth

    def project_for():
        campaign = access_campaign(user=user, slug=slug)
        return services.campaign_project_for_gift(campaign=campaign, slug=payload.project), None

    return open_gift(request, key=key, fingerprint=request_fingerprint("POST", request.path, payload.dict()),
                     project_for=project_for, payload=payload, ref=payload.ref, context={"campaign": slug})
