import mimetypes

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils._os import safe_join
from django.views.decorators.http import require_GET

from jusha.core.favicon import favicon_ico


@require_GET
def healthz(request):
    """For load balancers: the process is up and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
def media(request, path):
    """Uploaded files: always as attachments with nosniff, never rendered as a page."""
    try:
        full = safe_join(str(settings.MEDIA_ROOT), path)
    except Exception as exc:  # noqa: BLE001 - a path outside MEDIA_ROOT
        raise Http404 from exc
    try:
        handle = open(full, "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(full)[0] or "application/octet-stream"
    if content_type not in {"image/jpeg", "image/png", "image/webp", "application/pdf"}:
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for whatever a page links: the site's icon."""
    response = HttpResponse(favicon_ico(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response
