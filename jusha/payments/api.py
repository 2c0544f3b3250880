"""Provider notifications (machine endpoint: signed, CSRF-exempt). The sandbox's
"complete this gift's payment" call is giving's (it answers with the gift)."""

from ninja import Router

from jusha.core.openapi import errors
from jusha.payments import services, signing

router = Router(tags=["payments"])


@router.post("/payments/{provider}/notify", auth=None, response={200: dict}, openapi_extra=errors(400))
def notify(request, provider: str):
    """Signed notification from a payment provider (`X-Jusha-Signature`). 400 and no change
    when the signature is missing, wrong or older than 300 s; replays change nothing."""
    return services.notification_receive(
        provider_name=provider, body=request.body, signature=request.headers.get(signing.HEADER)
    )
