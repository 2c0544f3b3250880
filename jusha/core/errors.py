"""Domain errors with a stable code and the HTTP status the API conventions give them.

Services raise these; the API turns them into {"detail", "code"} bodies and views into
form errors or messages. The message is localised at the moment it is shown.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail, code: str | None = None, *, extra: dict | None = None):
        super().__init__(str(detail))
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra or {}


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, detail, retry_after: int, code: str | None = None):
        super().__init__(detail, code)
        self.retry_after = retry_after


class TransitionRefused(Conflict):
    code = "transition_refused"
