"""What server-rendered pages do with the domain errors services raise."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jusha.core.errors import Forbidden, NotFound


def domain_errors(view):
    """Services speak in domain errors; pages answer 404 and 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc

    return wrapper
