"""The OpenAPI document tells the truth: every operation lists the error answers it can give
(the conventions' `{"detail", "code"}` body) and the `Idempotency-Key` header it requires,
so a client generated from the document works without reading the code.

Most answers follow from the operation's shape (a body can be malformed, too large or
invalid; a path parameter can name nothing; a caller can bring a bad token), and are added
to every operation by `document_errors`. What only the operation knows (it refuses on the
current state: 409; it is rate-limited: 429; it needs a key) it declares with
`openapi_extra=errors(...)`. tests/api/test_fuzz.py checks every answer against the document.
"""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
}
REASONS = {
    400: "Malformed request, or a required header missing",
    401: "Missing or bad credentials",
    403: "Not allowed (or the CSRF header missing from a browser session)",
    404: "Not found",
    409: "Conflicts with the current state, or the same Idempotency-Key still in flight",
    413: "Request body too large",
    422: "Invalid body or parameters",
    429: "Too many requests: retry after `Retry-After` seconds",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "description": "A key of your own, unique per operation you mean (a replay answers as the first time; "
                   "the same key with another body is 422; while the first is still running, 409)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
UNSAFE = {"post", "put", "patch", "delete"}


def errors(*statuses: int, idempotent: bool = False) -> dict:
    """`openapi_extra` of an operation that can also answer with these statuses (and, with
    `idempotent`, requires the Idempotency-Key header: 400 without it, 409 while in flight,
    422 when reused with another body)."""
    extra: dict = {"responses": {str(s): _response(s) for s in statuses}}
    if idempotent:
        extra["parameters"] = [IDEMPOTENCY_KEY]
        extra["responses"].update({str(s): _response(s) for s in (400, 409, 422)})
    return extra


def _response(status: int) -> dict:
    return {"description": REASONS[status], "content": {"application/json": {"schema": ERROR}}}


def document_errors(schema: dict) -> dict:
    """Add to every operation the error answers its shape allows."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            shaped = set()
            if operation.get("parameters") or operation.get("requestBody"):
                shaped.add(422)
            if operation.get("requestBody"):
                shaped |= {400, 413}
            if "{" in path:
                shaped.add(404)
            if operation.get("security"):
                shaped.add(401)
                if method in UNSAFE:
                    shaped.add(403)  # a browser session without its CSRF header
            for status in sorted(shaped):
                operation["responses"].setdefault(str(status), _response(status))
    return schema
