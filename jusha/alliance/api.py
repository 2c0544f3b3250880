"""/api/v1/webhooks: organisations' owners (and staff, for platform-wide events) subscribe
HTTPS endpoints to signed events, read each delivery's log and replay one."""

from ninja import Query, Router

from jusha.accounts.auth import member
from jusha.alliance import services
from jusha.alliance.permissions import (
    access_delivery,
    access_endpoint,
    access_webhook_organisation,
    endpoints_visible,
)
from jusha.alliance.schemas import DeliveryListOut, DeliveryOut, WebhookCreatedOut, WebhookIn, WebhookListOut, WebhookOut
from jusha.core.moments import iso
from jusha.core.openapi import errors
from jusha.core.pagination import Page

router = Router(tags=["webhooks"])


def endpoint_out(endpoint, *, secret: bool = False) -> dict:
    out = {
        "id": endpoint.pk, "url": endpoint.url, "events": endpoint.event_list,
        "organisation": endpoint.organisation.slug if endpoint.organisation_id else None,
        "description": endpoint.description, "active": endpoint.active,
        "disabled_reason": endpoint.disabled_reason, "created_at": iso(endpoint.created_at),
    }
    if secret:
        out["secret"] = endpoint.secret
    return out


def delivery_out(delivery) -> dict:
    return {
        "id": delivery.pk, "event": delivery.event, "webhook_id": delivery.msg_id, "status": delivery.status,
        "attempts": delivery.attempts, "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error, "next_attempt_at": iso(delivery.next_attempt_at) or None,
        "created_at": iso(delivery.created_at), "delivered_at": iso(delivery.delivered_at) or None,
        "attempt_log": [
            {"number": a.number, "status_code": a.status_code, "error": a.error, "duration_ms": a.duration_ms,
             "replay": a.replay, "at": iso(a.created_at)}
            for a in delivery.attempt_log.all()
        ],
    }


@router.post("/webhooks", response={201: WebhookCreatedOut}, auth=member, openapi_extra=errors(403, 404, 409, 422),
             summary="Subscribe an endpoint to signed events")
def create(request, payload: WebhookIn):
    """Events: donation.paid, donation.refunded, project.updated, project.status_changed,
    batch.delivered, expenditure.recorded, missing.case_found. Each delivery is signed per
    Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` with the
    returned secret), retried with exponential backoff for up to a day. A private or
    loopback address answers 422 (`url_not_allowed`)."""
    organisation = access_webhook_organisation(user=request.auth, slug=payload.organisation)
    endpoint = services.endpoint_create(
        organisation=organisation, url=payload.url, events=payload.events, description=payload.description,
        actor=request.auth,
    )
    return 201, endpoint_out(endpoint, secret=True)


@router.get("/webhooks", response=WebhookListOut, auth=member, summary="The endpoints you keep")
def list_endpoints(request, page: Query[Page]):
    endpoints = endpoints_visible(user=request.auth)
    return {"items": [endpoint_out(e) for e in page.window(endpoints)], "count": endpoints.count()}


@router.get("/webhooks/{webhook_id}/deliveries", response=DeliveryListOut, auth=member,
            summary="An endpoint's deliveries, newest first, each with its attempts")
def deliveries(request, webhook_id: int, page: Query[Page]):
    endpoint = access_endpoint(user=request.auth, pk=webhook_id)
    found = endpoint.deliveries.order_by("-created_at", "-id")
    return {"items": [delivery_out(d) for d in page.window(found.prefetch_related("attempt_log"))],
            "count": found.count()}


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", response={202: DeliveryOut}, auth=member,
             openapi_extra=errors(403, 409), summary="Send a delivery again (same webhook-id)")
def replay(request, webhook_id: int, delivery_id: int):
    """A delivered or given-up delivery is sent again with the same `webhook-id` (receivers
    drop what they already took) and a fresh round of retries; one still being sent: 409."""
    delivery = access_delivery(user=request.auth, endpoint_pk=webhook_id, pk=delivery_id)
    delivery = services.delivery_replay(delivery=delivery, actor=request.auth)
    delivery.refresh_from_db()
    return 202, delivery_out(delivery)


@router.post("/webhooks/{webhook_id}/enable", response=WebhookOut, auth=member, openapi_extra=errors(403),
             summary="Switch an endpoint on again (what waited is sent)")
def enable(request, webhook_id: int):
    endpoint = access_endpoint(user=request.auth, pk=webhook_id)
    return endpoint_out(services.endpoint_set_active(endpoint=endpoint, active=True, actor=request.auth))


@router.delete("/webhooks/{webhook_id}", response={204: None}, auth=member, openapi_extra=errors(403),
               summary="Remove an endpoint and its delivery log")
def delete(request, webhook_id: int):
    endpoint = access_endpoint(user=request.auth, pk=webhook_id)
    services.endpoint_delete(endpoint=endpoint, actor=request.auth)
    return 204, None
