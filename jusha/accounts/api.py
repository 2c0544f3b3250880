from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router

from jusha.accounts import lockout
from jusha.accounts.auth import TokenAuth, member
from jusha.accounts.contributions import me_fields
from jusha.accounts.schemas import CredentialsIn, MeOut, TokenOut
from jusha.accounts.services import api_token_create, api_token_revoke
from jusha.core.errors import NotAuthenticated, RateLimited
from jusha.core.openapi import errors

router = Router(tags=["accounts"])


@router.post("/auth/token", response={200: TokenOut}, auth=None, summary="Create a personal API token", openapi_extra=errors(401, 429))
def token_create(request, payload: CredentialsIn):
    user = authenticate(request, email=payload.email, password=payload.password)  # through the log-in limiter
    if user is None:
        seconds = lockout.retry_after(request, payload.email)
        if seconds is not None:  # past the log-in limits: even the right password is refused
            raise RateLimited(lockout.locked_message(seconds), retry_after=seconds, code=lockout.CODE)
        raise NotAuthenticated(_("The email address or password is not correct."), code="bad_credentials")
    _token, secret = api_token_create(name="api", actor=user)
    return {"token": secret}


@router.delete("/auth/token", response={204: None}, auth=[TokenAuth()], summary="Revoke the token of this request")
def token_revoke(request):
    api_token_revoke(token=request.api_token, actor=request.auth)
    return 204, None


@router.get("/me", response=MeOut, auth=member, summary="The caller's account")
def me(request):
    user = request.auth
    answer = {"email": user.email, "display_name": user.display_name}
    for fields in me_fields.collect(user):  # organisations
        answer.update(fields)
    return answer
