"""Organisations in the JSON API (mounted under /api/v1/orgs by jusha.accounts.api)."""

from ninja import Router

from jusha.accounts.auth import anyone, member
from jusha.organisations.permissions import access_organisation, access_public_organisation
from jusha.organisations.schemas import OrganisationIn, OrganisationOut
from jusha.organisations.services import organisation_create, organisation_submit

router = Router(tags=["organisations"])


def _out(organisation) -> OrganisationOut:
    out = OrganisationOut.from_orm(organisation)
    if not organisation.viewer_roles:  # the reason is for the organisation and staff only
        out.rejection_reason = ""
    return out


@router.post("", response={201: OrganisationOut}, auth=member, summary="Register an organisation")
def create(request, payload: OrganisationIn):
    organisation = organisation_create(actor=request.auth, **payload.dict())
    organisation.viewer_roles = {"owner"}
    return 201, _out(organisation)


@router.get("/{slug}", response=OrganisationOut, auth=anyone, summary="An organisation's public details")
def detail(request, slug: str):
    return _out(access_public_organisation(user=request.auth, slug=slug))


@router.post("/{slug}/submit", response=OrganisationOut, auth=member, summary="Submit for verification")
def submit(request, slug: str):
    organisation = access_organisation(user=request.auth, slug=slug, roles={"owner"})
    organisation_submit(organisation=organisation, actor=request.auth)
    return _out(organisation)
