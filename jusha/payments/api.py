"""Provider notifications (machine endpoint: signed, CSRF-exempt), answered as each
provider expects. The sandbox's "complete this gift's payment" call is giving's (it
answers with the gift)."""

from django.http import HttpResponse
from ninja import Router

from jusha.core.openapi import errors
from jusha.payments import services, signing

router = Router(tags=["payments"])


@router.post("/payments/{provider}/notify", auth=None, response={200: dict, 204: None},
             openapi_extra=errors(400, 404, 409, 422))
def notify(request, provider: str):
    """A payment provider's signed notification: the sandbox (`X-Jusha-Signature`), Alipay
    (a form post signed with RSA2; answered `success` as text), WeChat Pay (`Wechatpay-*`
    headers, the resource encrypted; answered 204) or Stripe (`Stripe-Signature`). 400 and
    no change when the signature is missing, wrong or stale or the event is not for this
    merchant; 404 for an unknown provider or gift; 422 when the amount differs from the
    gift's. A replay (the same provider event id) is acknowledged and changes nothing."""
    status, body = services.notification_receive(
        provider_name=provider, body=request.body, signature=request.headers.get(signing.HEADER), headers=request.headers,
    )
    if provider == "alipay":
        return HttpResponse("success", content_type="text/plain; charset=utf-8")
    if provider == "wechatpay":
        return 204, None
    return status, body
