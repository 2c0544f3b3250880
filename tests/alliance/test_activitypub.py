"""ActivityPub: a fake fediverse actor on loopback follows a project; the Follow is checked
against HTTP Signatures made by the test's own implementation of the draft (written here
from the draft with the `cryptography` primitives, sharing no code with jusha), the Accept
and the next progress update reach its inbox signed, and forged, stale, replayed or
unsigned requests are refused with nothing recorded."""

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone as dt_timezone
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jusha.alliance.models import Activity, Follower, InboxSeen
from jusha.projects.services import update_post
from tests.factories import make_member, make_org, make_project

pytestmark = pytest.mark.django_db

AP = "application/activity+json"


# --- the test's own HTTP Signatures (draft-cavage-http-signatures-12, rsa-sha256) -----------

def new_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, pem.decode()


def sign_post(key, key_id, host, path, body: bytes, date=None) -> dict:
    date = date or format_datetime(datetime.now(dt_timezone.utc), usegmt=True)
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    text = f"(request-target): post {path}\nhost: {host}\ndate: {date}\ndigest: {digest}"
    signature = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    header = (f'keyId="{key_id}",algorithm="rsa-sha256",headers="(request-target) host date digest",'
              f'signature="{signature}"')
    return {"HTTP_HOST": host, "HTTP_DATE": date, "HTTP_DIGEST": digest, "HTTP_SIGNATURE": header}


def check_signed(seen, public_pem: str, path: str) -> None:
    """What a receiving server does with our deliveries: parse, rebuild, verify."""
    params = dict(part.split("=", 1) for part in seen.headers["signature"].split(","))
    params = {k: v.strip('"') for k, v in params.items()}
    assert params["algorithm"] in ("rsa-sha256", "hs2019")
    covered = params["headers"].split()
    assert {"(request-target)", "host", "date", "digest"} <= set(covered)
    lines = []
    for name in covered:
        value = f"post {path}" if name == "(request-target)" else seen.headers[name]
        lines.append(f"{name}: {value}")
    key = serialization.load_pem_public_key(public_pem.encode())
    key.verify(base64.b64decode(params["signature"]), "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    assert seen.headers["digest"] == "SHA-256=" + base64.b64encode(hashlib.sha256(seen.body).digest()).decode()
    return params["keyId"]


# --- a fake fediverse server on loopback ------------------------------------------------------

@pytest.fixture
def alice(loopback):
    key, pem = new_key()
    uri = loopback.base + "/users/alice"
    document = {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri, "type": "Person", "preferredUsername": "alice", "inbox": loopback.base + "/users/alice/inbox",
        "endpoints": {"sharedInbox": loopback.base + "/inbox"},
        "publicKey": {"id": uri + "#main-key", "owner": uri, "publicKeyPem": pem},
    }
    loopback.serve("/users/alice", json.dumps(document).encode(), AP)
    loopback.answer("/inbox", 202)
    loopback.answer("/users/alice/inbox", 202)
    return {"key": key, "uri": uri, "key_id": uri + "#main-key", "server": loopback}


@pytest.fixture
def project():
    org = make_org()
    project = make_project(org)
    project.owner = make_member(org, "owner")
    return project


def actor_doc(client, path):
    response = client.get(path, HTTP_ACCEPT=AP)
    assert response.status_code == 200 and response["Content-Type"].startswith(AP)
    return response.json()


def follow(client, alice, inbox_path, *, activity_id="/follows/1", key=None, date=None, body=None, target=None):
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": alice["uri"] + activity_id,
                "type": "Follow", "actor": alice["uri"], "object": target}
    raw = body if body is not None else json.dumps(activity).encode()
    headers = sign_post(key or alice["key"], alice["key_id"], "testserver", inbox_path, raw, date=date)
    if body is not None:  # the body was changed after signing
        raw = body + b" "
    return client.post(inbox_path, raw, content_type=AP, **headers)


def test_webfinger_finds_projects_and_organisations(client, project, settings):
    host = urlsplit(settings.JUSHA_PUBLIC_URL).netloc
    response = client.get("/.well-known/webfinger", {"resource": f"acct:project.{project.slug}@{host}"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jrd+json")
    self_link = next(link for link in response.json()["links"] if link["rel"] == "self")
    assert self_link["type"] == AP and self_link["href"].endswith(f"/alliance/ap/projects/{project.slug}")
    org = project.organisation
    assert client.get("/.well-known/webfinger", {"resource": f"acct:org.{org.slug}@{host}"}).status_code == 200
    for unknown in (f"acct:project.nope@{host}", f"acct:project.{project.slug}@elsewhere.example", "acct:x", ""):
        assert client.get("/.well-known/webfinger", {"resource": unknown}).status_code == 404


def test_actor_documents_publish_a_key_and_unpublished_things_are_not_actors(client, project):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    assert doc["type"] == "Service" and doc["inbox"].endswith("/inbox") and doc["outbox"].endswith("/outbox")
    assert doc["publicKey"]["owner"] == doc["id"] and "BEGIN PUBLIC KEY" in doc["publicKey"]["publicKeyPem"]
    assert actor_doc(client, f"/alliance/ap/orgs/{project.organisation.slug}")["type"] == "Organization"
    draft = make_project(project.organisation, status="draft")
    assert client.get(f"/alliance/ap/projects/{draft.slug}", HTTP_ACCEPT=AP).status_code == 404
    unverified = make_org(verified=False)
    assert client.get(f"/alliance/ap/orgs/{unverified.slug}", HTTP_ACCEPT=AP).status_code == 404
    # A person following the link in a browser lands on the project's page.
    assert client.get(f"/alliance/ap/projects/{project.slug}")["Location"].endswith(f"/projects/{project.slug}/")


def test_a_follow_is_accepted_and_the_next_progress_update_is_delivered_signed(
        client, project, alice, django_capture_on_commit_callbacks):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    inbox = f"/alliance/ap/projects/{project.slug}/inbox"
    with django_capture_on_commit_callbacks(execute=True):
        response = follow(client, alice, inbox, target=doc["id"])
    assert response.status_code == 202, response.content
    assert Follower.objects.filter(follower=alice["uri"]).count() == 1

    server = alice["server"]
    [accept] = server.posts("/users/alice/inbox")  # the Accept goes to alice herself
    assert check_signed(accept, doc["publicKey"]["publicKeyPem"], "/users/alice/inbox") == doc["publicKey"]["id"]
    answer = json.loads(accept.body)
    assert answer["type"] == "Accept" and answer["actor"] == doc["id"] and answer["object"]["type"] == "Follow"
    assert actor_doc(client, urlsplit(doc["followers"]).path)["totalItems"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        update_post(project=project, actor=project.owner, title="第一批暖包已送达", body="五十位老人收到了暖包。")
    [note_post] = server.posts("/inbox")  # notes go to the shared inbox, once per server
    check_signed(note_post, doc["publicKey"]["publicKeyPem"], "/inbox")
    created = json.loads(note_post.body)
    assert created["type"] == "Create" and created["actor"] == doc["id"]
    assert created["object"]["type"] == "Note" and "第一批暖包已送达" in created["object"]["content"]
    assert "https://www.w3.org/ns/activitystreams#Public" in created["object"]["to"]
    # The outbox shows it too.
    outbox = actor_doc(client, f"/alliance/ap/projects/{project.slug}/outbox?page=true")
    assert outbox["orderedItems"][0]["object"]["content"] == created["object"]["content"]


def test_a_forged_signature_is_refused_and_nothing_recorded(client, project, alice):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    inbox = f"/alliance/ap/projects/{project.slug}/inbox"
    mallory, _pem = new_key()
    response = follow(client, alice, inbox, target=doc["id"], key=mallory)
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    assert not Follower.objects.exists() and not InboxSeen.objects.exists()
    assert alice["server"].posts() == []


def test_a_changed_body_a_stale_date_and_no_signature_are_refused(client, project, alice):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    inbox = f"/alliance/ap/projects/{project.slug}/inbox"
    body = json.dumps({"id": alice["uri"] + "/f", "type": "Follow", "actor": alice["uri"], "object": doc["id"]}).encode()
    assert follow(client, alice, inbox, body=body).status_code == 401
    old = format_datetime(datetime.now(dt_timezone.utc) - timedelta(hours=3), usegmt=True)
    assert follow(client, alice, inbox, target=doc["id"], date=old).status_code == 401
    assert client.post(inbox, body, content_type=AP).status_code == 401
    assert not Follower.objects.exists()


def test_a_replayed_request_changes_nothing(client, project, alice, django_capture_on_commit_callbacks):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    inbox = f"/alliance/ap/projects/{project.slug}/inbox"
    with django_capture_on_commit_callbacks(execute=True):
        assert follow(client, alice, inbox, target=doc["id"]).status_code == 202
        assert follow(client, alice, inbox, target=doc["id"]).status_code == 200  # the same activity again
    assert Follower.objects.count() == 1
    assert Activity.objects.filter(kind="Accept").count() == 1
    assert len(alice["server"].posts()) == 1


def test_an_unknown_actor_or_an_unreachable_signer_is_refused(client, project, alice, loopback):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    response = follow(client, alice, "/alliance/ap/projects/no-such-project/inbox", target=doc["id"])
    assert response.status_code == 404
    stranger = dict(alice, uri=loopback.base + "/users/nobody", key_id=loopback.base + "/users/nobody#main-key")
    response = follow(client, stranger, f"/alliance/ap/projects/{project.slug}/inbox", target=doc["id"])
    assert response.status_code == 401 and response.json()["code"] == "actor_unreachable"
    assert not Follower.objects.exists()


def test_undo_follow_stops_delivery(client, project, alice, django_capture_on_commit_callbacks):
    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    inbox = f"/alliance/ap/projects/{project.slug}/inbox"
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, alice, inbox, target=doc["id"])
    undo = {"id": alice["uri"] + "/undo/1", "type": "Undo", "actor": alice["uri"],
            "object": {"id": alice["uri"] + "/follows/1", "type": "Follow", "actor": alice["uri"], "object": doc["id"]}}
    raw = json.dumps(undo).encode()
    response = client.post(inbox, raw, content_type=AP, **sign_post(alice["key"], alice["key_id"], "testserver", inbox, raw))
    assert response.status_code == 202
    assert not Follower.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        update_post(project=project, actor=project.owner, title="进展", body="正文")
    assert len(alice["server"].posts()) == 1  # only the Accept


def test_a_failing_inbox_is_retried(client, project, alice, django_capture_on_commit_callbacks):
    from jusha.alliance.federation import activity_deliveries_send_due
    from jusha.alliance.models import ActivityDelivery

    doc = actor_doc(client, f"/alliance/ap/projects/{project.slug}")
    alice["server"].answer("/inbox", 500, 202)
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, alice, f"/alliance/ap/projects/{project.slug}/inbox", target=doc["id"])
        update_post(project=project, actor=project.owner, title="进展", body="正文")
    note = ActivityDelivery.objects.get(activity__kind="Create")
    assert note.status == "retrying" and note.last_status_code == 500
    activity_deliveries_send_due(now=note.next_attempt_at + timedelta(seconds=1))
    note.refresh_from_db()
    assert note.status == "delivered"
