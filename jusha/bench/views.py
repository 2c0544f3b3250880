"""The benchmarks' endpoints: a bare baseline and the naive way of paying a gift."""

import uuid

from django.conf import settings
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jusha.bench.models import BenchRow
from jusha.core.errors import DomainError
from jusha.giving.models import Donation
from jusha.giving.schemas import donation_out
from jusha.giving.settle import gifts_settle
from jusha.matching.models import Pool
from jusha.payments.sandbox import SandboxProvider
from jusha.projects.models import Project


def bench_bare_json(request):
    """Benchmark baseline for reads (bench/missing_notice.py): a bare Django JSON view, no
    database, the same middleware as every page."""
    return JsonResponse({"cases": []})


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
            # The naive design settles each gift in its own transaction, rows held.
            gifts_settle(ids=[donation.pk])
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.detail), "code": exc.code, **exc.extra}, status=exc.status)
    donation.refresh_from_db()
    return JsonResponse(
        {"notification": {"status": status, "body": answer}, "donation": donation_out(donation, private=False)}
    )
