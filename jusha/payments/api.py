"""Provider notifications (machine endpoint: signed, CSRF-exempt) and the sandbox's
"complete this payment" call."""

import uuid

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jusha.core.errors import NotFound
from jusha.giving.models import Donation
from jusha.giving.schemas import donation_out
from jusha.payments import services, signing
from jusha.payments.sandbox import SandboxProvider

router = Router(tags=["payments"])


@router.post("/payments/{provider}/notify", auth=None, response={200: dict})
def notify(request, provider: str):
    """Signed notification from a payment provider (`X-Jusha-Signature`). 400 and no change
    when the signature is missing, wrong or older than 300 s; replays change nothing."""
    return services.notification_receive(
        provider_name=provider, body=request.body, signature=request.headers.get(signing.HEADER)
    )


class CompleteIn(Schema):
    result: str


@router.post("/sandbox/payments/{donation_id}/complete", auth=None, response={200: dict})
def sandbox_complete(request, donation_id: uuid.UUID, payload: CompleteIn):
    """Sandbox only: act as the payer on the hosted page. The sandbox sends its signed
    notification and answers after the platform has handled it."""
    if not settings.JUSHA_SANDBOX_ENABLED:
        raise NotFound(_("The sandbox payment provider is not enabled."), code="not_found")
    intent_id = get_object_or_404(Donation.objects.values_list("intent_id", flat=True), pk=donation_id, provider="sandbox")
    status, answer = SandboxProvider().complete(intent_id, payload.result)
    donation = Donation.objects.select_related("project", "match").get(pk=donation_id)
    return 200, {"notification": {"status": status, "body": answer}, "donation": donation_out(donation, private=False)}
