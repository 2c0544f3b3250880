from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.JUSHA_SITE_NAME,
        "DEMO": settings.JUSHA_DEMO and settings.DEBUG,
        "SANDBOX": settings.JUSHA_SANDBOX_ENABLED,
    }


def csp(request):
    """`csp_nonce`: the request's Content-Security-Policy nonce (jusha.core.csp), for an
    inline <script nonce="{{ csp_nonce }}"> and django-htmx's script tags."""
    return {"csp_nonce": getattr(request, "_csp_nonce", None)}
