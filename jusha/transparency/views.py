"""The log's resources (checkpoint, key, tiles: CDN-friendly, per C2SP), the witness
endpoint, and the page on how to audit. The pages that look up a gift or a project (verify
my donation, a receipt's proof, fund-flow pictures) are giving's (giving.transparency_views),
served beside these under /log/ in the same namespace."""

import gzip
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from jusha.core.errors import Conflict, DomainError
from jusha.transparency import keys, receipts, selectors, services, standalone, tiles
from jusha.transparency.witnesses import log_witnesses

IMMUTABLE = "public, max-age=31536000, immutable"
AUDIT_SCRIPT = Path(__file__).with_name("audit.py")


def text_response(body: str | bytes, *, status: int = 200, cache: str = "no-store",
                  content_type: str = "text/plain; charset=utf-8") -> HttpResponse:
    """The log's plain answers: readable from any origin, cached as the caller says."""
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def checkpoint(request):
    head = selectors.log_head()
    if not head.note:
        message = _("The log has not signed a checkpoint yet.") + "\n"
        return text_response(message, status=404, cache="public, max-age=1")
    return text_response(head.note, cache="public, max-age=2")


@require_GET
def key(request):
    return text_response(keys.log_verifier().vkey + "\n", cache="public, max-age=3600")


@require_GET
def tile(request, path: str):
    try:
        ref = tiles.parse_path(path)
    except tiles.TilePathError as exc:
        return text_response(f"{exc}\n", status=400, cache="public, max-age=60")
    if ref.level is None:
        data = selectors.entry_bundle(ref.index, ref.width)
    else:
        data = selectors.tile_data(ref.level, ref.index, ref.width)
    if data is None:
        return text_response(_("No such tile in the log (yet).") + "\n", status=404, cache="public, max-age=1")
    zipped = ref.level is None and "gzip" in request.headers.get("Accept-Encoding", "")
    body = gzip.compress(data, compresslevel=5) if zipped else data
    response = text_response(body, cache=IMMUTABLE, content_type="application/octet-stream")
    if ref.level is None:  # entry bundles compress well (spec: SHOULD be compressed)
        response["Vary"] = "Accept-Encoding"
        if zipped:
            response["Content-Encoding"] = "gzip"
    return response


@csrf_exempt
@require_POST
def witness_add_checkpoint(request):
    """C2SP tlog-witness: cosign a listed log's checkpoint that is consistent with the last."""
    try:
        body = request.body.decode("utf-8")
        return text_response(services.witness_add_checkpoint(body))
    except UnicodeDecodeError:
        return JsonResponse({"detail": _("The body is not UTF-8 text."), "code": "malformed"}, status=400)
    except Conflict as exc:
        if exc.code == "stale_old_size":
            return text_response(f"{exc.extra['size']}\n", status=409, content_type="text/x.tlog.size")
        return JsonResponse({"detail": str(exc.detail), "code": exc.code}, status=409)
    except DomainError as exc:
        return JsonResponse({"detail": str(exc.detail), "code": exc.code}, status=exc.status)


@require_GET
def witness_key(request):
    return text_response(keys.witness_signer().verifier.vkey + "\n", cache="public, max-age=3600")


@require_GET
def audit_script(request):
    response = text_response(
        AUDIT_SCRIPT.read_text(), cache="public, max-age=3600", content_type="text/x-python; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="jusha-audit.py"'
    return response


@require_GET
def verifier_script(request):
    response = HttpResponse(standalone.BUILT.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Disposition"] = 'attachment; filename="jusha-verify.py"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- pages ------------------------------------------------------------------------------

def index(request):
    head = selectors.log_head()
    return render(request, "transparency/index.html", {
        "head": head,
        "root_b64": receipts.b64(head.root),
        "vkey": keys.log_verifier().vkey,
        "public_key": receipts.b64(keys.log_verifier().public_key),
        "witness_vkey": _witness_vkey(),
        "witnesses": [vkey.split("+")[0] for vkey, _url in log_witnesses()],
        "prefix": request.build_absolute_uri("/log"),
        "script": AUDIT_SCRIPT.read_text(),
        "verifier_sha256": standalone.sha256(),
    })


def _witness_vkey() -> str:
    try:
        return keys.witness_signer().verifier.vkey
    except ImproperlyConfigured:  # an app server without the witness key
        return ""
