import mimetypes
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.http import FileResponse, Http404, JsonResponse
from django.utils._os import safe_join
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from jusha.core.models import BenchRow


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


@csrf_exempt
@require_POST
def bench_bare(request):
    """Benchmark baseline (bench/, only with JUSHA_BENCH_ENDPOINTS=1): one row, nothing else."""
    BenchRow.objects.create(payload=uuid.uuid4().hex)
    return JsonResponse({"ok": True}, status=201)


@csrf_exempt
@require_POST
def bench_naive_complete(request, donation_id):
    """Benchmark comparison (bench/giving_day.py, only with JUSHA_BENCH_ENDPOINTS=1): the
    sandbox's "complete" (succeeded) done the naive way, in one transaction that first locks
    the gift's project row and every active matching pool row, so that each gift holds them
    until it commits. Answers like POST /api/v1/sandbox/payments/{id}/complete."""
    from jusha.core.errors import DomainError
    from jusha.giving.models import Donation
    from jusha.giving.schemas import donation_out
    from jusha.matching.models import Pool
    from jusha.payments.sandbox import SandboxProvider
    from jusha.projects.models import Project

    if not settings.JUSHA_BENCH_ENDPOINTS or not settings.JUSHA_SANDBOX_ENABLED:
        raise Http404
    donation = Donation.objects.filter(pk=donation_id, provider="sandbox").first()
    if donation is None:
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    try:
        with transaction.atomic():
            Project.objects.select_for_update().get(pk=donation.project_id)
            list(Pool.objects.select_for_update().filter(status="active").order_by("pk").values_list("pk", flat=True))
            status, answer = SandboxProvider().complete(donation.intent_id, "succeeded")
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.detail), "code": exc.code, **exc.extra}, status=exc.status)
    donation.refresh_from_db()
    return JsonResponse(
        {"notification": {"status": status, "body": answer}, "donation": donation_out(donation, private=False)}
    )
