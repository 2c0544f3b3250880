"""Sharing API: make a share link, read its figures (its owner only), read a project's relay."""

from ninja import Router

from jusha.accounts.auth import anyone, member
from jusha.core.openapi import errors
from jusha.core.ratelimit import rate_limit
from jusha.projects.permissions import access_project
from jusha.social import schemas, selectors, services
from jusha.social.permissions import access_link, access_own_link
from jusha.social.visitors import remembered_ref, visitor_of

router = Router(tags=["social"])


@router.post(
    "/projects/{slug}/share-links", auth=member,
    response={200: schemas.ShareLinkOut, 201: schemas.ShareLinkOut}, openapi_extra=errors(409, 429),
)
def share_link_create(request, slug: str):
    """The caller's share link for the project: 201 when made now, 200 when they already
    had it (one link per member and project). 409 if the project is not taking gifts."""
    rate_limit("share_link_create", f"user:{request.auth.pk}")
    project = access_project(user=request.auth, slug=slug)
    link, created = services.share_link_for(
        project=project, visitor=visitor_of(request), via=remembered_ref(request, project)
    )
    return (201 if created else 200), schemas.link_out(link, request)


@router.get("/share-links/{code}", auth=anyone, response={200: schemas.ShareLinkFiguresOut})
def share_link_detail(request, code: str):
    """A link's figures, for its owner (a member, or the guest browser that made it).
    To anyone else the link does not exist: 404."""
    link = access_own_link(visitor=visitor_of(request), code=code)
    return 200, schemas.figures_out(link, selectors.link_figures(link))


@router.post("/share-links/{code}/reports", auth=member, response={201: dict}, openapi_extra=errors(409, 429))
def share_link_report(request, code: str, payload: schemas.ReportIn):
    """Report a link (spam, an offensive name). Enough reports suspend its sharer's links
    until staff review them."""
    link = access_link(code=code, public_only=False)
    services.share_link_report(link=link, reporter=request.auth, reason=payload.reason)
    return 201, {"status": "received"}


@router.get("/projects/{slug}/relay", auth=anyone, response={200: schemas.RelayOut})
def project_relay(request, slug: str):
    """The project's relay in aggregate: links per generation, gifts per generation,
    branching, opens, conversion and K. Figures resting on fewer than 3 gifts are "<3"."""
    project = access_project(user=request.user, slug=slug)
    body = selectors.public_relay(selectors.relay_summary(project))
    return 200, {"project": project.slug, "currency": project.currency, **body}
