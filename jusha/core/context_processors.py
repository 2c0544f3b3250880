from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.JUSHA_SITE_NAME,
        "DEMO": settings.JUSHA_DEMO and settings.DEBUG,
        "SANDBOX": settings.JUSHA_SANDBOX_ENABLED,
    }
