"""What the edge refuses before any view runs: text no database can hold.

PostgreSQL cannot store a NUL character (0x00) in text, so a NUL that reached a query
failed there with a server error. It is refused at the edge instead: in the path, 404 (no
such page or resource can have it); in a query parameter, 422 for the API and 400 for
pages; in a JSON body, 422 (`NulFreeParser`). Forms already refuse it (Django's form
fields do).
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class NulRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info:
            if _is_api(request):
                return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
            return HttpResponseNotFound(_("Not found."))
        if any(NUL in key or any(NUL in v for v in values) for key, values in request.GET.lists()):
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("A query parameter holds a NUL character."), "code": "invalid"}, status=422
                )
            return HttpResponseBadRequest(_("A query parameter holds a NUL character."))
        if _is_api(request) and request.method in {"POST", "PUT", "PATCH"}:
            refused = self._refuse_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def _refuse_body(request):
        try:
            body = request.body
        except RequestDataTooBig:
            return JsonResponse({"detail": _("The request body is too large."), "code": "too_large"}, status=413)
        if b"\\u0000" not in body and b"\x00" not in body:
            return None  # the common case: no NUL can be in it, nothing is parsed twice
        try:
            data = json.loads(body)
        except ValueError:
            return None  # not JSON: the API answers that itself (400)
        if holds_nul(data):
            return JsonResponse({"detail": _("Text may not hold a NUL character."), "code": "invalid"}, status=422)
        return None
