"""Donations API: create (idempotent), read, refund."""

import uuid

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import codes_4xx

from jusha.accounts.auth import anyone, member
from jusha.core.errors import NotFound
from jusha.core.idempotency import caller_scope, request_fingerprint, require_key, run_idempotent
from jusha.core.ratelimit import client_ip, rate_limit
from jusha.giving import schemas, services
from jusha.giving.models import Donation
from jusha.giving.schemas import DonationIn, RefundIn
from jusha.matching.services import gift_context_record
from jusha.projects.models import Project
from jusha.social.services import attribution_capture
from jusha.social.visitors import visitor_of

router = Router(tags=["donations"])


def _public_project(slug: str) -> Project:
    project = Project.objects.select_related("organisation").filter(slug=slug, status__in=services.PUBLIC_STATUSES).first()
    if project is None:
        raise NotFound(_("No such project."), code="not_found")
    return project


@router.post("/projects/{slug}/donations", auth=anyone, response={201: dict, codes_4xx: dict})
def donation_create(request, slug: str, payload: DonationIn):
    """Open a gift. Requires `Idempotency-Key`. Answers with the pay page to send the payer to,
    and the `access_token` that opens the gift's receipt (shown once)."""
    key = require_key(request.headers)
    user = request.auth
    data = payload.dict()
    ref = data.pop("ref", "")

    def work():
        rate_limit("donation_create", client_ip(request))
        project = _public_project(slug)
        donation, token = services.donation_create(
            project=project,
            donor=user,
            return_url_for=lambda d, t: schemas.receipt_path(d, t),
            **data,
        )
        gift_context_record(donation=donation, request=request)
        attribution_capture(donation=donation, code=ref, visitor=visitor_of(request))
        return 201, schemas.donation_created(donation, token, request)

    status, body, replayed = run_idempotent(
        scope=caller_scope(user), key=key, work=work,
        fingerprint=request_fingerprint("POST", request.path, {**data, "ref": ref} if ref else data),
    )
    return status, body


@router.get("/donations/{donation_id}", auth=None, response=dict)
def donation_detail(request, donation_id: uuid.UUID, access_token: str = ""):
    """A gift's public facts. Message, name and email only with its access token (as
    `?access_token=` or `Authorization: Bearer`) or to the member who gave it."""
    donation = get_object_or_404(Donation.objects.select_related("project", "donor", "match"), pk=donation_id)
    token = access_token or _bearer(request)
    user = _session_or_token_user(request)
    private = services.donation_can_view_private(donation, user=user, access_token=token)
    return schemas.donation_out(donation, private=private)


@router.post("/donations/{donation_id}/refunds", auth=member, response={201: dict, codes_4xx: dict})
def donation_refund(request, donation_id: uuid.UUID, payload: RefundIn):
    """Refund (part of) a gift to its original payment method. Finance members only.
    Requires `Idempotency-Key`."""
    key = require_key(request.headers)
    data = payload.dict()

    def work():
        donation = get_object_or_404(Donation.objects.select_related("project__organisation"), pk=donation_id)
        refund = services.donation_refund(donation=donation, amount=data["amount"], reason=data["reason"], actor=request.auth)
        return 201, schemas.refund_out(refund)

    status, body, _replayed = run_idempotent(
        scope=caller_scope(request.auth), key=key, fingerprint=request_fingerprint("POST", request.path, data), work=work
    )
    return status, body


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _session_or_token_user(request):
    if request.user.is_authenticated:
        return request.user
    token = _bearer(request)
    if token:
        from jusha.accounts.models import ApiToken

        found = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True).first()
        if found:
            return found.user
    return None

