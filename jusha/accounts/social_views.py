"""The doors of social log-in: allauth's provider views behind Jusha's rules, and the
account page's unlink. See social.py for the rules themselves."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jusha.accounts import lockout
from jusha.accounts.permissions import access_social_account
from jusha.accounts.services import social_account_unlink
from jusha.accounts.social import ATTEMPT, app_for, refused_locked
from jusha.core.errors import DomainError, NotFound, RateLimited
from jusha.core.ratelimit import client_ip, rate_limit


def offered(provider: str, *, callback: bool = False):
    """A provider's log-in or callback view, answered only where the provider is configured
    (else 404) and within the log-in limits: a locked network is refused (429, Retry-After);
    each callback counts as one log-in attempt, given back when the log-in succeeds."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if app_for(request, provider) is None:
                raise Http404
            if callback:
                try:
                    setattr(request, ATTEMPT, lockout.begin(request, None))
                except lockout.Locked as exc:
                    return refused_locked(request, exc.retry_after)
            else:
                seconds = lockout.retry_after(request, None)
                if seconds is not None:
                    return refused_locked(request, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def signup_limited(view):
    """The e-mail step of a first social log-in creates an account: the sign-up limit."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            try:
                rate_limit("signup", client_ip(request))
            except RateLimited as exc:
                response = render(request, "accounts/social_refused.html", {"message": exc.detail}, status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@require_POST
def unlink(request, pk: int):
    try:
        account = access_social_account(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    try:
        social_account_unlink(request=request, account=account)
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("accounts:me")
