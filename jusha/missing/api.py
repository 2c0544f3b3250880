"""/api/v1/missing: the widget's notice (public, cacheable, CORS open) and sightings."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from jusha.core.errors import Invalid
from jusha.missing import services
from jusha.missing.notice import notice_response
from jusha.missing.permissions import access_public_case, notice_site
from jusha.missing.ratelimit import sighting_guard
from jusha.missing.selectors import active_case
from jusha.missing.schemas import NoticeOut, SightingIn, SightingOut

router = Router(tags=["missing"])


def _saved(site):
    return site if site is not None and site.pk else None


@router.get("/missing/notice", response=NoticeOut, auth=None, summary="The cases a site's 404 notice shows")
def notice(request, site: str = "", region: str = ""):
    """An unknown or revoked key answers `{"cases": []}` with the same headers.
    `Cache-Control: public, max-age=60` at most; CORS open; `Vary: Accept-Language` only."""
    return notice_response(request, site, region)


@router.post("/missing/cases/{case_id}/sightings", response={201: SightingOut}, auth=None,
             summary="Report a sighting to the case's organisation")
def sighting(request, case_id: int, body: Form[SightingIn], photo: File[UploadedFile] = None):
    """Never shown publicly. Spam-resistant: a honeypot field, a minimum time to submit,
    per-network limits (429 with Retry-After)."""
    case = access_public_case(pk=case_id)
    sighting_guard(request, honeypot=body.website, elapsed_ms=body.elapsed_ms)
    if body.site and notice_site(body.site) is None:
        raise Invalid(_("Unknown site key."), code="site_unknown")
    created = services.sighting_submit(
        case=case, place=body.place, seen_at=body.seen_at, description=body.description,
        contact=body.contact, photo=photo, site=_saved(notice_site(body.site)),
    )
    return 201, {"id": created.pk, "status": created.status}


@router.post("/missing/seen", response={204: None}, auth=None, summary="The widget showed a case (a counter)")
def seen(request, site: str = "", case: int = 0):
    """Adds one to the day's impression counter of the site and of the case: no IP address,
    cookie or visitor id is read or kept. Unknown keys or cases are ignored."""
    known = notice_site(site)
    shown = active_case(case)
    if known is not None and shown is not None:
        services.count(kind="impression", site=_saved(known), case=shown)
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    return response
