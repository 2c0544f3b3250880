"""Every write of the alliance's webhooks: endpoints (create, enable, disable, delete),
deliveries (queued in the transaction of the event they carry, sent by the worker after
commit, retried with backoff for up to a day, replayed by hand), and the automatic
disabling of an endpoint that has failed for a day, with an email to its owners.

Signing follows Standard Webhooks (the `standardwebhooks` package): `webhook-id` (the same
on every attempt and replay, so a receiver can drop repeats), `webhook-timestamp` (of the
attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`).
Sending goes through the transparency app's outbound rules: no private or loopback
address unless JUSHA_ALLOW_PRIVATE_FETCH, a time limit, no redirect followed.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import uuid
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from jusha.alliance import rules, states
from jusha.alliance.models import Attempt, Delivery, Endpoint
from jusha.core import events as core_events
from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.moments import iso as rfc3339
from jusha.core.statemachine import SYSTEM
from jusha.organisations.models import Membership
from jusha.organisations.permissions import roles_for
from jusha.transparency import remote

logger = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_OWNER = 20
LEASE = timedelta(minutes=2)  # an attempt in flight is not picked up again for this long
DUE_BATCH = 200


def available_events() -> tuple[str, ...]:
    """The events of the apps installed here (`missing.case_found` only with `missing`)."""
    return tuple(e for e in rules.EVENTS if not e.startswith("missing.") or apps.is_installed("jusha.missing"))


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_endpoint_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > 500:
        raise Invalid(_("Give the endpoint's address (at most 500 characters)."), code="url_invalid")
    if not url.startswith("https://") and not (settings.JUSHA_ALLOW_PRIVATE_FETCH and url.startswith("http://")):
        raise Invalid(_("A webhook endpoint must be an https:// address."), code="url_not_https")
    try:
        remote.check_url(url)
    except remote.FetchError as exc:
        raise Invalid(
            _("This address is private, loopback or cannot be resolved; webhooks are sent to public addresses only."),
            code="url_not_allowed",
        ) from exc
    return url


def _clean_events(events) -> str:
    events = list(events or [])
    unknown = sorted({str(e) for e in events} - set(available_events()))
    if unknown:
        raise Invalid(
            _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}, code="event_unknown",
            extra={"allowed": list(available_events())},
        )
    field = rules.events_field(events)
    if not field:
        raise Invalid(_("Choose at least one event."), code="events_required")
    return field


def _can_keep(actor, organisation) -> bool:
    roles = roles_for(actor, organisation) if organisation is not None else set()
    return bool(getattr(actor, "is_staff", False) or "owner" in roles)


@transaction.atomic
def endpoint_create(*, organisation, url: str, events, description: str = "", actor) -> Endpoint:
    """An organisation's owner (or staff) subscribes an endpoint to its events; an endpoint
    without an organisation receives every organisation's events and is for staff only."""
    if organisation is None and not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff may subscribe to platform-wide events."), code="staff_only")
    if organisation is not None and not _can_keep(actor, organisation):
        raise Forbidden(_("Only the organisation's owners may subscribe webhooks."), code="not_owner")
    field = _clean_events(events)
    url = check_endpoint_url(url)
    if Endpoint.objects.filter(organisation=organisation).count() >= MAX_ENDPOINTS_PER_OWNER:
        raise Conflict(_("At most %(n)d endpoints per organisation.") % {"n": MAX_ENDPOINTS_PER_OWNER},
                       code="too_many_endpoints")
    endpoint = Endpoint.objects.create(
        organisation=organisation, url=url, events=field, secret=new_secret(),
        description=(description or "").strip()[:120], created_by=actor,
    )
    audit_record(actor=actor, action="alliance.webhook_created", target=endpoint,
                 data={"url": url, "events": endpoint.event_list})
    return endpoint


@transaction.atomic
def endpoint_set_active(*, endpoint: Endpoint, active: bool, actor, reason: str = "") -> Endpoint:
    """Owners and staff switch an endpoint off or on; switching on sends what waited."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if actor is not None and not _can_keep(actor, endpoint.organisation):
        raise Forbidden(_("Only the organisation's owners may change its webhooks."), code="not_owner")
    if endpoint.active == active:
        return endpoint
    now = timezone.now()
    endpoint.active = active
    endpoint.disabled_at = None if active else now
    endpoint.disabled_reason = "" if active else reason[:200]
    endpoint.failing_since = None if active else endpoint.failing_since
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "failing_since"])
    if active:
        Delivery.objects.filter(endpoint=endpoint, status__in=states.SENDABLE).update(next_attempt_at=now)
        transaction.on_commit(_wake_worker)
    audit_record(actor=actor, action="alliance.webhook_" + ("enabled" if active else "disabled"), target=endpoint,
                 data={"reason": reason[:200]})
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor) -> None:
    if not _can_keep(actor, endpoint.organisation):
        raise Forbidden(_("Only the organisation's owners may change its webhooks."), code="not_owner")
    audit_record(actor=actor, action="alliance.webhook_deleted", target=endpoint, data={"url": endpoint.url})
    endpoint.delete()


# --- deliveries -----------------------------------------------------------------------------

def body_of(event: str, data: dict, at=None) -> str:
    """The JSON body (Standard Webhooks' shape: type, timestamp, data), compact, UTF-8."""
    document = {"type": event, "timestamp": rfc3339(at or timezone.now()), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def endpoints_for(event: str, organisation_id: int | None):
    """The endpoints that take `event` about `organisation_id`: its own and platform-wide."""
    scope = Q(organisation__isnull=True)
    if organisation_id is not None:
        scope |= Q(organisation_id=organisation_id)
    return Endpoint.objects.filter(scope, events__contains=f",{event},")


def event_publish(*, event: str, organisation_id: int | None, data: dict) -> list[Delivery]:
    """Queue `event` for every endpoint subscribed to it, in the caller's transaction (the
    event and its deliveries commit together, or neither); the worker is woken after commit.
    Disabled endpoints get their deliveries too: sent if they are switched on again."""
    batch = core_events.batch_state()  # a settler's batch of gifts: each organisation's endpoints read once
    if batch is not None:
        known = batch.setdefault("alliance.endpoints", {})
        if (event, organisation_id) not in known:
            known[(event, organisation_id)] = list(endpoints_for(event, organisation_id).values_list("pk", "active"))
        endpoints = known[(event, organisation_id)]
    else:
        endpoints = list(endpoints_for(event, organisation_id).values_list("pk", "active"))
    if not endpoints:
        return []
    now = timezone.now()
    body = body_of(event, data, now)
    with transaction.atomic():  # a savepoint: a failure here leaves the announcer's transaction usable
        created = _deliveries_create(event, body, endpoints, now)
    ids = [d.pk for d, (_pk, active) in zip(created, endpoints) if active and d.pk]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    elif any(active for _pk, active in endpoints):
        transaction.on_commit(_wake_worker)  # a backend that returned no ids: the schedule sends them
    return created


def _deliveries_create(event: str, body: str, endpoints, now) -> list[Delivery]:
    return Delivery.objects.bulk_create([
        Delivery(endpoint_id=pk, event=event, msg_id="msg_" + uuid.uuid4().hex, payload=body,
                 next_attempt_at=now) for pk, _active in endpoints
    ])


def _queue(ids: list[int]) -> None:
    from jusha.alliance.tasks import deliver

    try:
        deliver.enqueue(ids)
    except Exception:  # noqa: BLE001 - the schedule sends them anyway: the rows are due
        logger.exception("could not queue webhook deliveries %s", ids)


def _wake_worker() -> None:
    from jusha.alliance.tasks import deliver_due

    try:
        deliver_due.enqueue()
    except Exception:  # noqa: BLE001 - the periodic schedule runs it anyway
        logger.exception("could not queue the webhook sweep")


def signed_headers(secret: str, msg_id: str, at, body: str) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def _claim(pk: int, now) -> Delivery | None:
    """Take a due delivery for one attempt (two workers never send the same one at once)."""
    claimed = Delivery.objects.filter(
        pk=pk, status__in=states.SENDABLE, next_attempt_at__lte=now, endpoint__active=True,
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return Delivery.objects.select_related("endpoint").get(pk=pk)


def delivery_send(delivery_id: int, *, now=None, post=None) -> str | None:
    """One attempt of a due delivery (outside any transaction: the HTTP call holds no lock).
    Returns its new status, or None when it was not due (sent meanwhile, not yet due, its
    endpoint switched off)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = delivery.payload.encode()
    headers = signed_headers(endpoint.secret, delivery.msg_id, timezone.now(), delivery.payload)
    started = time.monotonic()
    status_code, error = None, ""
    try:
        status_code, _answer = (post or remote.request)(
            endpoint.url, data=body, content_type="application/json", headers=headers,
            timeout=settings.JUSHA_WEBHOOK_TIMEOUT,
        )
        if not rules.is_success(status_code):
            error = f"HTTP {status_code}"
    except remote.FetchError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - any failure to send is a failed attempt, logged
        error = type(exc).__name__
    elapsed = int((time.monotonic() - started) * 1000)
    return _record(delivery.pk, status_code=status_code, error=error, duration_ms=elapsed)


@transaction.atomic
def _record(pk: int, *, status_code, error: str, duration_ms: int) -> str:
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=pk)
    now = timezone.now()
    number = Attempt.objects.filter(delivery=delivery).count() + 1
    Attempt.objects.create(delivery=delivery, number=number, status_code=status_code, error=error[:300],
                           duration_ms=duration_ms, replay=delivery.attempts == 0 and number > 1)
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:300]
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if rules.is_success(status_code):
        target = Delivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    else:
        delay = rules.retry_delay(delivery.attempts)
        target = Delivery.Status.RETRYING if delay is not None else Delivery.Status.FAILED
        delivery.next_attempt_at = now + delay if delay is not None else None
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    states.DELIVERY.check(delivery.status, target, {SYSTEM})
    delivery.status = target
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at",
                                 "next_attempt_at"])
    if target == Delivery.Status.FAILED and endpoint.active and rules.should_disable(endpoint.failing_since, now):
        _disable_failing(endpoint)
    return target


def _disable_failing(endpoint: Endpoint) -> None:
    endpoint.active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = "Every attempt failed for a day."
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
    audit_record(actor=None, action="alliance.webhook_disabled", target=endpoint, data={"reason": "failing"})
    transaction.on_commit(lambda: _tell_owners_disabled(endpoint.pk))


def owners_emails(endpoint: Endpoint) -> list[str]:
    if endpoint.organisation_id is not None:
        emails = list(Membership.objects.filter(
            organisation_id=endpoint.organisation_id, role=Membership.Role.OWNER, user__is_active=True,
        ).values_list("user__email", flat=True))
        if emails:
            return emails
    creator = endpoint.created_by
    return [creator.email] if creator is not None and creator.email else []


def _tell_owners_disabled(endpoint_id: int) -> None:
    from jusha.alliance.tasks import notify_disabled

    try:
        notify_disabled.enqueue(endpoint_id)
    except Exception:  # noqa: BLE001
        logger.exception("could not queue the disabled-webhook email for %s", endpoint_id)


def endpoint_disabled_email(endpoint_id: int) -> int:
    endpoint = Endpoint.objects.select_related("organisation", "created_by").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.active:
        return 0
    emails = owners_emails(endpoint)
    if not emails:
        return 0
    from django.template.loader import render_to_string

    link = settings.JUSHA_PUBLIC_URL.rstrip("/") + "/alliance/webhooks/"
    body = render_to_string("alliance/webhook_disabled_email.txt", {"endpoint": endpoint, "link": link})
    subject = " ".join(f"{settings.JUSHA_SITE_NAME}: {_('a webhook endpoint was switched off')}".split())
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=emails)


def deliveries_send_due(*, now=None, post=None) -> int:
    """The worker's job: one attempt of each due delivery, oldest first. An endpoint that
    fails once in a run is not tried again in that run, so a hanging endpoint costs one
    time-out per run, not one per waiting event."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status__in=states.SENDABLE, next_attempt_at__lte=now, endpoint__active=True)
        .order_by("next_attempt_at", "id").values_list("pk", "endpoint_id")[:DUE_BATCH]
    )
    failing: set[int] = set()
    sent = 0
    for pk, endpoint_id in due:
        if endpoint_id in failing:
            continue
        try:
            result = delivery_send(pk, now=now, post=post)
        except Exception:  # noqa: BLE001 - one delivery must not stop the sweep
            logger.exception("webhook delivery %s failed", pk)
            continue
        if result is None:
            continue
        sent += 1
        if result != Delivery.Status.DELIVERED:
            failing.add(endpoint_id)
    return sent


@transaction.atomic
def delivery_replay(*, delivery: Delivery, actor) -> Delivery:
    """Send a delivered or given-up delivery again, with the same webhook-id, and a fresh
    round of retries. One still waiting or retrying answers 409."""
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    endpoint = delivery.endpoint
    roles = roles_for(actor, endpoint.organisation) if endpoint.organisation_id else set()
    roles = ({states.STAFF} if getattr(actor, "is_staff", False) else set()) | (roles & {states.OWNER})
    if delivery.status in states.SENDABLE:
        raise Conflict(_("This delivery is still being sent."), code="delivery_in_flight")
    states.DELIVERY.check(delivery.status, Delivery.Status.PENDING, roles)
    if not endpoint.active:
        raise Conflict(_("Switch the endpoint on before replaying its deliveries."), code="endpoint_disabled")
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(actor=actor, action="alliance.webhook_replayed", target=endpoint, data={"delivery": delivery.msg_id})
    pk = delivery.pk
    transaction.on_commit(lambda: _queue([pk]))
    return delivery


def deliveries_purge(*, now=None, keep_days: int = 30) -> int:
    """Periodic: settled deliveries (delivered or given up) older than `keep_days` go."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    deleted, _detail = Delivery.objects.filter(
        status__in=(Delivery.Status.DELIVERED, Delivery.Status.FAILED), created_at__lt=cutoff,
    ).delete()
    return deleted
