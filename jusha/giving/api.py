"""Donations API: open a gift (idempotent), read it, refund it; the sandbox's "pay"."""

import uuid

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jusha.accounts.auth import anyone, member, token_user
from jusha.core.client import ClientContext
from jusha.core.errors import NotFound
from jusha.core.idempotency import caller_scope, request_fingerprint, require_key, run_idempotent
from jusha.core.money import money_in
from jusha.core.ratelimit import client_ip, rate_limit
from jusha.core.openapi import errors
from jusha.giving import permissions, schemas, services
from jusha.giving.models import Donation
from jusha.giving.schemas import DonationIn, RefundIn
from jusha.payments.sandbox import SandboxProvider

router = Router(tags=["donations"])


def open_gift(request, *, key: str, fingerprint: str, project_for, payload, ref: str = "", context=None):
    """The one way the API opens a gift (project and campaign endpoints alike): rate-limited,
    idempotent, through `services.donation_open`, its answer stored with the gift.
    `project_for()` returns (project, its sums when read with it, else None)."""
    user = request.auth
    client = ClientContext.of(request)

    def work(done):
        rate_limit("donation_create", client_ip(request))
        project, sums = project_for()
        answer = []

        def within(donation, token):
            # The answer is built once, stored with the gift and returned as stored (its
            # receipt_url carries a one-use ticket: a second build would be another answer).
            answer.append(schemas.donation_created(donation, token, request))
            done(201, answer[0])

        services.donation_open(
            project=project, amount=money_in(payload.amount, payload.currency), client=client, donor=user, ref=ref,
            message=payload.message, show_message=payload.show_message, name=payload.name, anonymous=payload.anonymous,
            email=payload.email, provider=payload.provider, context=context, within=within,
            raised=sums.toward_goal if sums is not None else None,
        )
        return 201, answer[0]

    status, body, _replayed = run_idempotent(
        scope=caller_scope(user), key=key, work=work, fingerprint=fingerprint, own_transaction=True
    )
    return status, body


@router.post("/projects/{slug}/donations", auth=anyone, response={201: dict}, openapi_extra=errors(409, 422, 429, idempotent=True))
def donation_create(request, slug: str, payload: DonationIn):
    """Open a gift. Requires `Idempotency-Key`. Answers with the pay page to send the payer to,
    the `access_token` that opens the gift's private fields (shown once: send it as
    `Authorization: Bearer <access_token>`, never in a URL), and `receipt_url`, a one-use
    link to the receipt page for a browser (good for a day)."""
    key = require_key(request.headers)
    data = payload.dict()
    # Fields added later count only when given, so a request's fingerprint stays what it was.
    fingerprint = request_fingerprint(
        "POST", request.path, {k: v for k, v in data.items() if v or k not in ("ref", "show_message", "provider", "team")}
    )
    return open_gift(request, key=key, fingerprint=fingerprint, payload=payload, ref=payload.ref,
                     context={"team": payload.team} if payload.team else None,
                     project_for=lambda: permissions.access_giving_project_with_sums(slug=slug))


@router.get("/donations/{donation_id}", auth=None, response=dict)
def donation_detail(request, donation_id: uuid.UUID, access_token: str = ""):
    """A gift's public facts. Message, name and email only with its access token or to the
    member who gave it. Send the token as `Authorization: Bearer <access_token>` (preferred);
    `?access_token=` is still accepted, but a key in a URL travels into histories and logs."""
    donation = permissions.access_donation(donation_id=donation_id, related=("project", "donor", "match"))
    token = access_token or _bearer(request)
    user = request.user if request.user.is_authenticated else token_user(token)
    private = permissions.donation_can_view_private(donation, user=user, access_token=token)
    return schemas.donation_out(donation, private=private)


@router.post("/donations/{donation_id}/refunds", auth=member, response={201: dict}, openapi_extra=errors(409, idempotent=True))
def donation_refund(request, donation_id: uuid.UUID, payload: RefundIn):
    """Refund (part of) a gift to its original payment method. Finance members only.
    Requires `Idempotency-Key`."""
    key = require_key(request.headers)
    data = payload.dict()

    def work(done):
        donation = permissions.access_refundable_donation(user=request.auth, donation_id=donation_id)
        refund = services.donation_refund(
            donation=donation, amount=money_in(data["amount"], donation.currency), reason=data["reason"],
            actor=request.auth, within=lambda r: done(201, schemas.refund_out(r)),
        )
        return 201, schemas.refund_out(refund)

    status, body, _replayed = run_idempotent(
        scope=caller_scope(request.auth), key=key, fingerprint=request_fingerprint("POST", request.path, data), work=work,
        own_transaction=True,
    )
    return status, body


class CompleteIn(Schema):
    result: str


@router.post("/sandbox/payments/{donation_id}/complete", auth=None, response={200: dict}, tags=["payments"], openapi_extra=errors(409))
def sandbox_complete(request, donation_id: uuid.UUID, payload: CompleteIn):
    """Sandbox only: act as the payer on the hosted page. The sandbox sends its signed
    notification and answers after the platform has handled it."""
    if not settings.JUSHA_SANDBOX_ENABLED:
        raise NotFound(_("The sandbox payment provider is not enabled."), code="not_found")
    provider, intent_id = permissions.access_donation_intent(donation_id=donation_id)
    if provider != "sandbox":
        raise NotFound(_("Not found."), code="not_found")
    status, answer, paid = SandboxProvider().complete_recorded(intent_id, payload.result)
    if _answerable(paid, donation_id):
        donation = paid
    else:
        donation = permissions.access_donation(donation_id=donation_id, related=("project", "match"))
    return 200, {"notification": {"status": status, "body": answer}, "donation": schemas.donation_out(donation, private=False)}


def _answerable(paid, donation_id) -> bool:
    """The gift the acceptance just wrote, read under its lock with its project, answers as
    a fresh read would while it is settling: its match is written only by its settlement
    (giving.settle, which also sets settled_at), so it has none yet and none is looked up.
    Anything else (a replay, a failed payment, a gift settled inline) is read again."""
    if not isinstance(paid, Donation) or paid.pk != donation_id or not paid.settling:
        return False
    if not Donation.project.is_cached(paid):
        return False
    Donation._meta.get_field("match").set_cached_value(paid, None)  # no match while settling
    return True


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""
