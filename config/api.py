"""The JSON API: /api/v1, OpenAPI at /api/openapi.json, docs at /api/docs.

Errors follow the conventions: {"detail": "<localised message>", "code": "<stable_code>"}.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jusha.core.csp import CSP, csp_override
from jusha.core.errors import DomainError
from jusha.core.openapi import document_errors


class JushaAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = JushaAPI(
    title="Jusha 聚沙 API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Swagger UI (django-ninja's own static files) draws its icons from data: URIs.
    docs_decorator=csp_override({**settings.SECURE_CSP, "img-src": [CSP.SELF, "data:"]}),
)


def error_response(request, status: int, detail, code: str, **extra):
    response = api.create_response(request, {"detail": str(detail), "code": code, **extra}, status=status)
    return response


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = error_response(request, exc.status, exc.detail, exc.code, **exc.extra)
    if exc.status == 429:
        response["Retry-After"] = str(getattr(exc, "retry_after", 60))
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        return error_response(request, 400, _("The request body is not valid JSON."), "malformed")
    return error_response(request, 422, _("Some fields are not valid."), "invalid", errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc: AuthenticationError):
    detail = exc.message if getattr(exc, "message", None) not in (None, "Unauthorized") else _("Please log in or send a valid API token.")
    return error_response(request, 401, detail, "not_authenticated")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    codes = {400: "malformed", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    detail = str(exc)
    if exc.status_code == 403 and "CSRF" in detail:
        return error_response(request, 403, _("The CSRF check failed: send the X-CSRFToken header."), "csrf_failed")
    return error_response(request, exc.status_code, detail, codes.get(exc.status_code, "error"))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error_response(request, 413, _("The request body is too large."), "too_large")


@api.exception_handler(Http404)
def on_404(request, exc):
    return error_response(request, 404, _("Not found."), "not_found")


def _register_routers():
    from jusha.accounts.api import router as accounts_router
    from jusha.giving.api import router as giving_router
    from jusha.ledger.api import router as ledger_router
    from jusha.organisations.api import router as organisations_router
    from jusha.payments.api import router as payments_router
    from jusha.projects.api import router as projects_router
    from jusha.transparency.api import router as transparency_router
    from jusha.fulfilment.api import router as fulfilment_router
    from jusha.matching.api import router as matching_router
    from jusha.campaigns.api import router as campaigns_router
    from jusha.reports.api import router as reports_router
    from jusha.ratings.api import router as ratings_router
    from jusha.social.api import router as social_router
    from jusha.community.api import router as community_router
    from jusha.missing.api import router as missing_router
    from jusha.crisis.api import router as crisis_router
    from jusha.pledges.api import router as pledges_router
    from jusha.volunteering.api import router as volunteering_router
    from jusha.sponsorship.api import router as sponsorship_router
    from jusha.alliance.api import router as alliance_router

    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/orgs", organisations_router)
    api.add_router("/v1/", projects_router)
    api.add_router("/v1/", giving_router)
    api.add_router("/v1/", payments_router)
    api.add_router("/v1/", ledger_router)
    api.add_router("/v1/log/", transparency_router)
    api.add_router("/v1/", fulfilment_router)
    api.add_router("/v1/", matching_router)
    api.add_router("/v1/", campaigns_router)
    api.add_router("/v1/", reports_router)
    api.add_router("/v1/orgs", ratings_router)
    api.add_router("/v1/", social_router)
    api.add_router("/v1/", community_router)
    api.add_router("/v1/", missing_router)
    api.add_router("/v1/", crisis_router)
    api.add_router("/v1/", pledges_router)
    api.add_router("/v1/", volunteering_router)
    api.add_router("/v1/", sponsorship_router)
    api.add_router("/v1/", alliance_router)


_register_routers()
