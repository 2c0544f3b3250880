"""ActivityPub: organisations and projects are actors that anyone on the fediverse
(Mastodon, Misskey, another Jusha) can follow.

- WebFinger (`/.well-known/webfinger?resource=acct:project.<slug>@host`) finds an actor;
  its document (`/alliance/ap/projects/<slug>`) gives its inbox, outbox, followers and
  RSA public key.
- A Follow posted to its inbox, signed with HTTP Signatures (httpsig.py) by a key its
  actor document publishes, is recorded and answered with a signed Accept.
- A project's progress updates and milestones (published, funded, executing, completed,
  cancelled, a batch delivered) are Notes in the outbox of the project and of its
  organisation, delivered to each follower's inbox (its shared inbox once) by the worker,
  with the webhook retries and backoff.

Only public actors exist: a verified organisation, a published project. Unsigned, forged,
stale or replayed requests are refused, nothing recorded.
"""

from __future__ import annotations

import html
import json
import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jusha.alliance import httpsig, rules, states
from jusha.alliance.models import Activity, ActivityDelivery, ActorKey, Follower, InboxSeen, RemoteActor
from jusha.core.errors import BadRequest, NotAuthenticated, NotFound, TooLarge
from jusha.core.moments import iso
from jusha.core.richtext import plain_text
from jusha.core.statemachine import SYSTEM
from jusha.organisations.models import Organisation
from jusha.projects.models import Project
from jusha.projects.selectors import is_public
from jusha.transparency import remote

logger = logging.getLogger(__name__)

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
CONTENT_TYPE = "application/activity+json"
ACCEPTS = ("application/activity+json", "application/ld+json")
KINDS = {"org": "orgs", "project": "projects"}
OUTBOX_PAGE = 20
MAX_INBOX_BYTES = 256 * 1024
REMOTE_KEY_TTL = 24 * 3600


def base() -> str:
    return settings.JUSHA_PUBLIC_URL.rstrip("/")


def host() -> str:
    return urlsplit(base()).netloc


def actor_name(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


def actor_uri(kind: str, slug: str) -> str:
    return f"{base()}/alliance/ap/{KINDS[kind]}/{slug}"


def username(kind: str, slug: str) -> str:
    return f"{kind}.{slug}"


def public_actor(kind: str, slug: str):
    """The organisation or project behind a local actor, if it is public; else NotFound."""
    if kind == "org":
        found = Organisation.objects.filter(slug=slug, verification=Organisation.Verification.VERIFIED).first()
    elif kind == "project":
        found = Project.objects.select_related("organisation").filter(slug=slug).first()
        found = found if found is not None and is_public(found) else None
    else:
        found = None
    if found is None:
        raise NotFound(_("There is no such actor here."), code="actor_unknown")
    return found


def key_for(kind: str, slug: str) -> ActorKey:
    name = actor_name(kind, slug)
    key = ActorKey.objects.filter(actor=name).first()
    if key is not None:
        return key
    private, public = httpsig.new_key_pair()
    try:
        with transaction.atomic():
            return ActorKey.objects.create(actor=name, private_pem=private, public_pem=public)
    except IntegrityError:
        return ActorKey.objects.get(actor=name)


def _page_url(kind: str, thing) -> str:
    if kind == "org":
        return base() + reverse("organisations:detail", args=[thing.slug])
    return base() + reverse("projects:detail", args=[thing.slug])


def actor_document(kind: str, thing) -> dict:
    uri = actor_uri(kind, thing.slug)
    name = thing.name if kind == "org" else thing.title
    summary = thing.description if kind == "org" else thing.summary
    return {
        "@context": CONTEXT,
        "id": uri,
        "type": "Organization" if kind == "org" else "Service",
        "preferredUsername": username(kind, thing.slug),
        "name": name,
        "summary": html.escape(summary or ""),
        "url": _page_url(kind, thing),
        "inbox": uri + "/inbox",
        "outbox": uri + "/outbox",
        "followers": uri + "/followers",
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {"id": uri + "#main-key", "owner": uri, "publicKeyPem": key_for(kind, thing.slug).public_pem},
    }


def webfinger(resource: str) -> dict:
    """The JRD of `acct:<kind>.<slug>@<host>` (or of an actor's own URI)."""
    resource = (resource or "").strip()
    kind = slug = None
    if resource.startswith("acct:"):
        user, _sep, domain = resource[5:].rpartition("@")
        if domain.lower() == host().lower() and "." in user:
            kind, _dot, slug = user.partition(".")
    elif resource.startswith(base() + "/alliance/ap/"):
        parts = resource[len(base()) + len("/alliance/ap/"):].split("/")
        if len(parts) == 2:
            kind = {v: k for k, v in KINDS.items()}.get(parts[0])
            slug = parts[1]
    if not kind or kind not in KINDS or not slug:
        raise NotFound(_("There is no such actor here."), code="actor_unknown")
    thing = public_actor(kind, slug)
    uri = actor_uri(kind, thing.slug)
    return {
        "subject": f"acct:{username(kind, thing.slug)}@{host()}",
        "aliases": [uri, _page_url(kind, thing)],
        "links": [
            {"rel": "self", "type": CONTENT_TYPE, "href": uri},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": _page_url(kind, thing)},
        ],
    }


def outbox_document(kind: str, thing, *, page: bool = False) -> dict:
    uri = actor_uri(kind, thing.slug) + "/outbox"
    activities = Activity.objects.filter(actor=actor_name(kind, thing.slug), public=True)
    total = activities.count()
    if not page:
        return {"@context": CONTEXT, "id": uri, "type": "OrderedCollection", "totalItems": total,
                "first": uri + "?page=true"}
    return {"@context": CONTEXT, "id": uri + "?page=true", "type": "OrderedCollectionPage", "partOf": uri,
            "totalItems": total, "orderedItems": [a.document for a in activities[:OUTBOX_PAGE]]}


def followers_document(kind: str, thing) -> dict:
    uri = actor_uri(kind, thing.slug) + "/followers"
    total = Follower.objects.filter(actor=actor_name(kind, thing.slug)).count()
    return {"@context": CONTEXT, "id": uri, "type": "OrderedCollection", "totalItems": total}


# --- the inbox --------------------------------------------------------------------------------

def _fetch_json(url: str) -> dict:
    status, body = remote.request(url, headers={"Accept": CONTENT_TYPE}, timeout=settings.JUSHA_WEBHOOK_TIMEOUT)
    if status != 200:
        raise remote.FetchError(f"GET {url}: HTTP {status}")
    document = json.loads(body.decode("utf-8"))
    if not isinstance(document, dict):
        raise remote.FetchError(f"GET {url}: not a JSON object")
    return document


def remote_actor(key_id: str, *, refresh: bool = False) -> RemoteActor:
    """The actor that owns `key_id`, with its public key: from our cache (a day), else
    fetched from its server under the outbound rules."""
    known = RemoteActor.objects.filter(key_id=key_id).first()
    if known is not None and not refresh and time.time() - known.fetched_at.timestamp() < REMOTE_KEY_TTL:
        return known
    url = key_id.split("#", 1)[0]
    try:
        document = _fetch_json(url)
        if document.get("type") not in (None, "Key") and "publicKey" in document:
            key = document["publicKey"]
            actor_doc = document
        else:  # the key's own document: its owner holds the inbox
            key = document
            actor_doc = _fetch_json(document["owner"])
        key = key[0] if isinstance(key, list) else key
        if key.get("id") != key_id or key.get("owner") != actor_doc.get("id"):
            raise remote.FetchError("the key does not belong to the actor that publishes it")
        inbox = actor_doc["inbox"]
        shared = (actor_doc.get("endpoints") or {}).get("sharedInbox", "") or ""
        pem = key["publicKeyPem"]
    except (remote.FetchError, KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise NotAuthenticated(_("The signing actor could not be found."), code="actor_unreachable") from exc
    if not all(isinstance(v, str) and len(v) <= 500 for v in (actor_doc.get("id"), inbox, shared)):
        raise NotAuthenticated(_("The signing actor could not be found."), code="actor_unreachable")
    RemoteActor.objects.filter(uri=actor_doc["id"]).exclude(key_id=key_id).delete()  # a rotated key
    RemoteActor.objects.update_or_create(
        key_id=key_id, defaults={"uri": actor_doc["id"], "public_pem": pem, "inbox": inbox, "shared_inbox": shared},
    )
    return RemoteActor.objects.get(key_id=key_id)


def _verified_sender(*, method: str, path: str, headers: dict, body: bytes) -> RemoteActor:
    try:
        key_id = httpsig.key_id_of(headers)
    except httpsig.SignatureError as exc:
        raise NotAuthenticated(_("The request is not signed."), code="signature_missing") from exc
    sender = remote_actor(key_id)
    try:
        httpsig.verify(method=method, path=path, headers=headers, body=body, public_pem=sender.public_pem)
    except httpsig.SignatureError:
        # The actor may have rotated its key: fetch it once more before refusing.
        sender = remote_actor(key_id, refresh=True)
        try:
            httpsig.verify(method=method, path=path, headers=headers, body=body, public_pem=sender.public_pem)
        except httpsig.SignatureError as exc:
            raise NotAuthenticated(
                _("The request's signature does not verify: %(why)s.") % {"why": exc}, code="signature_invalid",
            ) from exc
    return sender


def inbox_receive(*, kind: str, slug: str, path: str, headers: dict, body: bytes) -> int:
    """Take one signed activity posted to a local actor's inbox. Returns the HTTP status:
    202 accepted (a Follow answered, an Undo applied, another kind ignored), 200 for an
    activity already taken (a replay changes nothing)."""
    thing = public_actor(kind, slug)
    if len(body) > MAX_INBOX_BYTES:
        raise TooLarge(_("The activity is too large."), code="too_large")
    sender = _verified_sender(method="POST", path=path, headers=headers, body=body)
    try:
        activity = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(_("The body is not a JSON activity."), code="malformed") from exc
    if not isinstance(activity, dict) or not isinstance(activity.get("id"), str) or not activity.get("type"):
        raise BadRequest(_("The body is not a JSON activity."), code="malformed")
    actor = activity.get("actor")
    actor = actor.get("id") if isinstance(actor, dict) else actor
    if actor != sender.uri:
        raise NotAuthenticated(_("The activity's actor is not the one who signed it."), code="actor_mismatch")
    local = actor_uri(kind, thing.slug)
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboxSeen.objects.create(activity_id=activity["id"][:500])
        except IntegrityError:
            return 200
        kind_of = activity.get("type")
        target = activity.get("object")
        if kind_of == "Follow" and _id(target) == local:
            _follow(kind, thing.slug, sender, activity)
        elif kind_of == "Undo" and isinstance(target, dict) and target.get("type") == "Follow":
            Follower.objects.filter(actor=actor_name(kind, thing.slug), follower=sender.uri).delete()
    return 202


def _id(value):
    return value.get("id") if isinstance(value, dict) else value


def _follow(kind: str, slug: str, sender: RemoteActor, follow: dict) -> None:
    Follower.objects.update_or_create(
        actor=actor_name(kind, slug), follower=sender.uri,
        defaults={"inbox": sender.inbox, "shared_inbox": sender.shared_inbox, "follow_id": follow["id"][:500]},
    )
    local = actor_uri(kind, slug)
    accept = Activity.objects.create(actor=actor_name(kind, slug), kind="Accept", public=False, document={})
    accept.document = {
        "@context": "https://www.w3.org/ns/activitystreams", "id": f"{local}/activities/{accept.pk}",
        "type": "Accept", "actor": local, "object": follow,
    }
    accept.save(update_fields=["document"])
    _deliver(accept, [sender.inbox])


# --- publishing notes --------------------------------------------------------------------------

def _note_html(title: str, text: str, url: str) -> str:
    parts = [f"<p><strong>{html.escape(title)}</strong></p>"]
    if text:
        parts.append(f"<p>{html.escape(text)}</p>")
    parts.append(f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>')
    return "".join(parts)


def _publish(project: Project, *, title: str, text: str, url: str) -> list[Activity]:
    """A Create(Note) in the outbox of the project and of its organisation (when they are
    public actors), queued for their followers."""
    if not is_public(project):
        return []
    with transaction.atomic():  # a savepoint: a failure leaves the announcer's transaction usable
        return _publish_as(project, title=title, text=text, url=url)


def _publish_as(project: Project, *, title: str, text: str, url: str) -> list[Activity]:
    made = []
    actors = [("project", project.slug)]
    if project.organisation.is_verified:
        actors.append(("org", project.organisation.slug))
    now = timezone.now()
    for kind, slug in actors:
        local = actor_uri(kind, slug)
        activity = Activity.objects.create(actor=actor_name(kind, slug), kind="Create", document={})
        note_id = f"{local}/notes/{activity.pk}"
        activity.document = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{local}/activities/{activity.pk}", "type": "Create", "actor": local,
            "published": iso(now), "to": [AS_PUBLIC], "cc": [local + "/followers"],
            "object": {
                "id": note_id, "type": "Note", "attributedTo": local, "published": iso(now),
                "url": url, "to": [AS_PUBLIC], "cc": [local + "/followers"],
                "content": _note_html(title, text, url), "mediaType": "text/html",
            },
        }
        activity.save(update_fields=["document"])
        followers = Follower.objects.filter(actor=actor_name(kind, slug))
        inboxes = sorted({f.shared_inbox or f.inbox for f in followers})
        _deliver(activity, inboxes)
        made.append(activity)
    return made


def _words():
    return translation.override(settings.LANGUAGE_CODE)


def note_for_progress(*, project, update) -> list[Activity]:
    with _words():
        text = plain_text(update.body)[:480]
        url = base() + reverse("projects:progress", args=[project.slug])
        return _publish(project, title=f"{project.title}: {update.title}", text=text, url=url)


def note_for_status(*, project, target: str) -> list[Activity]:
    with _words():
        words = {
            "fundraising": _("%(title)s is now raising money."),
            "funded": _("%(title)s has reached its goal. Thank you!"),
            "executing": _("%(title)s is being carried out."),
            "completed": _("%(title)s is completed; its final report is published."),
            "cancelled": _("%(title)s was cancelled; the gifts are refunded as it stated."),
        }
        text = words[target] % {"title": project.title}
        return _publish(project, title=project.title, text=text, url=base() + reverse("projects:detail", args=[project.slug]))


def note_for_delivery(*, batch) -> list[Activity]:
    project = batch.project
    with _words():
        text = _("Delivery batch %(number)d of %(title)s was delivered: %(units)d %(unit)s.") % {
            "number": batch.number, "title": project.title, "units": batch.units, "unit": project.unit_name or "",
        }
        return _publish(project, title=project.title, text=text.strip(),
                        url=base() + reverse("projects:detail", args=[project.slug]))


# --- delivering activities ------------------------------------------------------------------

def _deliver(activity: Activity, inboxes: list[str]) -> None:
    if not inboxes:
        return
    now = timezone.now()
    ActivityDelivery.objects.bulk_create(
        [ActivityDelivery(activity=activity, inbox=inbox, next_attempt_at=now) for inbox in inboxes],
        ignore_conflicts=True,
    )
    ids = list(ActivityDelivery.objects.filter(activity=activity, inbox__in=inboxes).values_list("pk", flat=True))
    transaction.on_commit(lambda: _queue(ids))


def _queue(ids: list[int]) -> None:
    from jusha.alliance.tasks import federate

    for pk in ids:
        try:
            federate.enqueue(pk)
        except Exception:  # noqa: BLE001 - the schedule sends it anyway
            logger.exception("could not queue activity delivery %s", pk)


def activity_delivery_send(delivery_id: int, *, now=None) -> str | None:
    now = now or timezone.now()
    claimed = ActivityDelivery.objects.filter(
        pk=delivery_id, status__in=states.SENDABLE, next_attempt_at__lte=now,
    ).update(next_attempt_at=now + timedelta(minutes=2))
    if not claimed:
        return None
    delivery = ActivityDelivery.objects.select_related("activity").get(pk=delivery_id)
    kind, slug = delivery.activity.actor.split(":", 1)
    key = key_for(kind, slug)
    body = json.dumps(delivery.activity.document, ensure_ascii=False, separators=(",", ":")).encode()
    parts = urlsplit(delivery.inbox)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = httpsig.signed_headers(method="POST", url_host=parts.netloc, path=path, body=body,
                                     key_id=actor_uri(kind, slug) + "#main-key", private_pem=key.private_pem)
    headers.pop("Host")  # urllib sends the same Host itself
    status_code, error = None, ""
    try:
        status_code, _answer = remote.request(delivery.inbox, data=body, content_type=CONTENT_TYPE, headers=headers,
                                              timeout=settings.JUSHA_WEBHOOK_TIMEOUT)
        if not rules.is_success(status_code):
            error = f"HTTP {status_code}"
    except remote.FetchError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001
        error = type(exc).__name__
    with transaction.atomic():
        delivery = ActivityDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error[:300]
        if rules.is_success(status_code):
            target, delivery.next_attempt_at = ActivityDelivery.Status.DELIVERED, None
        else:
            delay = rules.retry_delay(delivery.attempts)
            target = ActivityDelivery.Status.RETRYING if delay else ActivityDelivery.Status.FAILED
            delivery.next_attempt_at = timezone.now() + delay if delay else None
        states.DELIVERY.check(delivery.status, target, {SYSTEM})
        delivery.status = target
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "next_attempt_at"])
    return target


def activity_deliveries_send_due(*, now=None) -> int:
    """The worker's job: one attempt of each due activity delivery; an inbox that fails
    once in a run is not tried again in that run."""
    now = now or timezone.now()
    due = list(ActivityDelivery.objects.filter(status__in=states.SENDABLE, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("pk", "inbox")[:200])
    failing: set[str] = set()
    sent = 0
    for pk, inbox in due:
        if inbox in failing:
            continue
        try:
            result = activity_delivery_send(pk, now=now)
        except Exception:  # noqa: BLE001
            logger.exception("activity delivery %s failed", pk)
            continue
        if result is None:
            continue
        sent += 1
        if result != ActivityDelivery.Status.DELIVERED:
            failing.add(inbox)
    return sent


def inbox_seen_purge(*, now=None, keep_days: int = 30) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    deleted, _detail = InboxSeen.objects.filter(created_at__lt=cutoff).delete()
    deleted_deliveries, _detail = ActivityDelivery.objects.filter(
        Q(status=ActivityDelivery.Status.DELIVERED) | Q(status=ActivityDelivery.Status.FAILED), created_at__lt=cutoff,
    ).delete()
    return deleted + deleted_deliveries
