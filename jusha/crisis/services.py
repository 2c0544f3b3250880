"""Every write of the crisis app: sources, roles, ingestion, cases, escalation, purge.

No crisis text or handle goes into a log line, an e-mail or an audit row: those carry ids,
levels and counts only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, TooLarge
from jusha.crisis import crypto, states
from jusha.crisis.model import MAX_TEXT, scorer_from_settings
from jusha.crisis.models import Case, ContactAttempt, LabelledExample, Post, Responder, Source

log = logging.getLogger(__name__)

MAX_BATCH = 1000
MAX_POST_CHARS = 10_000
ESCALATE_AFTER = timedelta(minutes=15)


@lru_cache(maxsize=1)
def scorer():
    return scorer_from_settings()


def alert_level() -> int:
    return settings.JUSHA_CRISIS_ALERT_LEVEL


def urgent_level() -> int:
    return settings.JUSHA_CRISIS_URGENT_LEVEL


# --- roles and sources ------------------------------------------------------------------------


def role_of(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    role = getattr(user, "crisis_role", None) if hasattr(user, "crisis_role") else None
    return role.role if role else ""


def role_grant(*, user, role: str, actor) -> Responder:
    """Platform staff appoint supervisors; supervisors (or staff) grant the responder role."""
    if role not in Responder.Role.values:
        raise Invalid(_("Unknown crisis role."), code="crisis_role_unknown")
    allowed = actor.is_staff if role == Responder.Role.SUPERVISOR else (actor.is_staff or role_of(actor) == Responder.Role.SUPERVISOR)
    if not allowed:
        raise Forbidden(_("Only platform staff appoint crisis supervisors, and only supervisors grant the responder role."), code="crisis_role_forbidden")
    with transaction.atomic():
        responder, _created = Responder.objects.update_or_create(user=user, defaults={"role": role, "granted_by": actor})
        audit_record(actor=actor, action="crisis.role_grant", target=responder, data={"role": role, "user": user.pk})
    return responder


def role_revoke(*, user, actor) -> None:
    """Take a crisis role away: staff for supervisors, supervisors (or staff) for responders.

    The cases the person holds go back to the queue at once, so nobody waits on someone who
    can no longer open the case."""
    responder = Responder.objects.filter(user=user).first()
    if responder is None:
        raise Invalid(_("This member holds no crisis role."), code="crisis_role_none")
    allowed = actor.is_staff if responder.role == Responder.Role.SUPERVISOR else (actor.is_staff or role_of(actor) == Responder.Role.SUPERVISOR)
    if not allowed:
        raise Forbidden(_("Only platform staff remove crisis supervisors, and only supervisors remove responders."), code="crisis_role_forbidden")
    with transaction.atomic():
        released = list(Case.objects.select_for_update().filter(status=Case.Status.CLAIMED, claimed_by=user).values_list("pk", flat=True))
        Case.objects.filter(pk__in=released).update(status=Case.Status.OPEN, claimed_by=None, claimed_at=None)
        for pk in released:
            audit_record(actor=actor, action="crisis.case_release", target=Case(pk=pk), data={"why": "role_revoked"})
        audit_record(actor=actor, action="crisis.role_revoke", target=responder, data={"role": responder.role, "user": user.pk, "released": len(released)})
        responder.delete()


def duty_set(*, user, on_duty: bool, actor) -> Responder:
    responder = Responder.objects.filter(user=user).first()
    if responder is None:
        raise Forbidden(_("Only crisis responders go on duty."), code="crisis_not_responder")
    if actor != user and role_of(actor) != Responder.Role.SUPERVISOR:
        raise Forbidden(_("Only a supervisor changes someone else's duty."), code="crisis_forbidden")
    with transaction.atomic():
        responder.on_duty = on_duty
        responder.save(update_fields=["on_duty"])
        audit_record(actor=actor, action="crisis.duty", target=responder, data={"on_duty": on_duty})
    return responder


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def source_create(*, name: str, keep_for_research: bool = False, actor) -> tuple[Source, str]:
    """A new source and its key (shown once; only its digest is kept)."""
    if not (actor.is_staff or role_of(actor) == Responder.Role.SUPERVISOR):
        raise Forbidden(_("Only crisis supervisors create sources."), code="crisis_forbidden")
    name = (name or "").strip()
    if not name:
        raise Invalid(_("A source needs a name."), code="crisis_source_name")
    key = "crs_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        if Source.objects.filter(name=name).exists():
            raise Conflict(_("A source with this name exists."), code="crisis_source_exists")
        source = Source.objects.create(name=name, key_digest=key_digest(key), key_prefix=key[:8], keep_for_research=keep_for_research, created_by=actor)
        audit_record(actor=actor, action="crisis.source_create", target=source)
    return source, key


def source_for_key(key: str) -> Source | None:
    if not key:
        return None
    return Source.objects.filter(key_digest=key_digest(key), active=True).first()


# --- ingestion --------------------------------------------------------------------------------


def clean_post(raw, index: int) -> tuple[dict | None, str | None]:
    """A post as stored, or why not (by index, never quoting the text)."""
    if not isinstance(raw, dict):
        return None, _("post %(i)s: not an object") % {"i": index}
    post_id, text, author = raw.get("id"), raw.get("text"), raw.get("author")
    if not isinstance(post_id, (str, int)) or not str(post_id).strip() or len(str(post_id)) > 128:
        return None, _("post %(i)s: id missing or longer than 128 characters") % {"i": index}
    if not isinstance(text, str) or not text.strip():
        return None, _("post %(i)s: text missing or empty") % {"i": index}
    if len(text) > MAX_POST_CHARS:
        return None, _("post %(i)s: text longer than %(n)s characters") % {"i": index, "n": MAX_POST_CHARS}
    if "\x00" in text or sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t") > 8:
        return None, _("post %(i)s: text looks binary") % {"i": index}
    if not isinstance(author, str) or not author.strip() or len(author) > 200:
        return None, _("post %(i)s: author missing") % {"i": index}
    posted = parse_datetime(raw.get("posted_at") or "") if isinstance(raw.get("posted_at"), str) else None
    if posted is None:
        return None, _("post %(i)s: posted_at is not an RFC 3339 time") % {"i": index}
    if timezone.is_naive(posted):
        posted = timezone.make_aware(posted)
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > 2000):
        return None, _("post %(i)s: url is not a string of at most 2000 characters") % {"i": index}
    return {"id": str(post_id).strip(), "text": text, "posted_at": posted, "author": author.strip(), "url": url or ""}, None


def posts_ingest(*, source: Source, posts: list) -> dict:
    """Score and store a batch; a post at or above the alert level opens or joins its author's case.

    All or nothing: one bad post refuses the batch (422, each bad post by index). Posts the
    source sent before (same id) are counted as duplicates and left as they were.
    """
    if not isinstance(posts, list) or not posts:
        raise Invalid(_("Send a non-empty list of posts."), code="crisis_posts_empty")
    if len(posts) > MAX_BATCH:
        raise TooLarge(_("At most %(n)s posts per batch.") % {"n": MAX_BATCH}, code="crisis_batch_too_large")
    cleaned, errors = [], []
    for index, raw in enumerate(posts):
        post, error = clean_post(raw, index)
        (errors.append(error) if error else cleaned.append(post))
    if errors:
        raise Invalid("; ".join(errors[:20]), code="crisis_posts_invalid", extra={"errors": errors[:100]})
    seen_in_batch, unique = set(), []
    for post in cleaned:
        if post["id"] not in seen_in_batch:
            seen_in_batch.add(post["id"])
            unique.append(post)
    existing = set(Post.objects.filter(source=source, external_id__in=[p["id"] for p in unique]).values_list("external_id", flat=True))
    fresh = [p for p in unique if p["id"] not in existing]
    scores = scorer().score([p["text"][:MAX_TEXT] for p in fresh]) if fresh else []
    opened = attached = 0
    with transaction.atomic():
        for post, score in zip(fresh, scores):
            digest = crypto.author_digest(source.pk, post["author"])
            case = None
            if score.level >= alert_level():
                case, was_new = _case_for(source, digest, post, score.level)
                opened += was_new
                attached += not was_new
            try:
                with transaction.atomic():
                    Post.objects.create(
                        source=source, external_id=post["id"], text=post["text"], posted_at=post["posted_at"],
                        author_digest=digest, author_enc=crypto.encrypt(post["author"]),
                        url_enc=crypto.encrypt(post["url"]) if post["url"] else None,
                        level=score.level, p_high=score.p_high, reasons=score.reasons[:20], case=case,
                    )
            except IntegrityError:  # the same post arriving at once through another request
                existing.add(post["id"])
    log.info("crisis ingest: source %s, %s new, %s duplicate, %s cases opened", source.pk, len(fresh), len(posts) - len(fresh), opened)
    return {"received": len(posts), "created": len(fresh), "duplicates": len(posts) - len(fresh), "cases_opened": opened, "cases_updated": attached}


def _case_for(source, digest, post, level) -> tuple[Case, bool]:
    now = timezone.now()
    case = Case.objects.select_for_update().filter(source=source, author_digest=digest).exclude(status=Case.Status.CLOSED).first()
    if case is None:
        case = Case.objects.create(
            source=source, author_digest=digest, author_enc=crypto.encrypt(post["author"]), level=level,
            opened_at=now, last_post_at=post["posted_at"], urgent_since=now if level >= urgent_level() else None,
        )
        return case, True
    fields = ["last_post_at"]
    case.last_post_at = max(case.last_post_at, post["posted_at"])
    if level > case.level:
        case.level = level
        fields.append("level")
        if level >= urgent_level() and case.urgent_since is None:
            case.urgent_since = now
            fields.append("urgent_since")
    case.save(update_fields=fields)
    return case, False


# --- the responder queue ------------------------------------------------------------------------


def _transition(case: Case, target: str, actor) -> str:
    return states.CASE.check(case.status, target, role_of(actor) or set()).target


def case_claim(*, case: Case, actor) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.status = _transition(case, Case.Status.CLAIMED, actor)
        case.claimed_by, case.claimed_at = actor, timezone.now()
        case.save(update_fields=["status", "claimed_by", "claimed_at"])
        audit_record(actor=actor, action="crisis.case_claim", target=case)
    return case


def case_release(*, case: Case, actor) -> Case:
    """Put a claimed case back in the queue (the responder cannot go on with it): the one who
    claimed it or a supervisor. Its contact attempts stay with it for the next responder."""
    if role_of(actor) != Responder.Role.SUPERVISOR and case.claimed_by_id != actor.pk:
        raise Forbidden(_("Only the responder who claimed the case, or a supervisor, releases it."), code="crisis_forbidden")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.status = _transition(case, Case.Status.OPEN, actor)
        case.claimed_by, case.claimed_at = None, None
        case.save(update_fields=["status", "claimed_by", "claimed_at"])
        audit_record(actor=actor, action="crisis.case_release", target=case)
    return case


def contact_log(*, case: Case, channel: str, note: str = "", actor) -> ContactAttempt:
    if case.status != Case.Status.CLAIMED or case.claimed_by_id != actor.pk:
        raise Conflict(_("Claim the case before logging a contact."), code="crisis_not_claimed")
    if channel not in ContactAttempt.Channel.values:
        raise Invalid(_("Unknown contact channel."), code="crisis_channel")
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(case=case, responder=actor, channel=channel, note=(note or "")[:500])
        audit_record(actor=actor, action="crisis.contact", target=case, data={"channel": channel})
    return attempt


def case_close(*, case: Case, outcome: str, corrected_level: int | None = None, actor) -> Case:
    if outcome not in Case.Outcome.values:
        raise Invalid(_("Choose an outcome."), code="crisis_outcome")
    if corrected_level is not None and not 0 <= corrected_level <= 10:
        raise Invalid(_("A level is between 0 and 10."), code="crisis_level")
    supervisor = role_of(actor) == Responder.Role.SUPERVISOR
    if not supervisor and case.claimed_by_id != actor.pk:
        raise Forbidden(_("Only the responder who claimed the case, or a supervisor, closes it."), code="crisis_forbidden")
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("source").get(pk=case.pk)
        case.status = _transition(case, Case.Status.CLOSED, actor)
        case.outcome, case.corrected_level, case.closed_at = outcome, corrected_level, timezone.now()
        case.save(update_fields=["status", "outcome", "corrected_level", "closed_at"])
        audit_record(actor=actor, action="crisis.case_close", target=case, data={"outcome": outcome, "corrected_level": corrected_level})
        if corrected_level is not None and case.source.keep_for_research:
            # The responder's level is the next training run's label (text only, no handle).
            texts = Post.objects.filter(case=case).values_list("text", flat=True)
            LabelledExample.objects.bulk_create(LabelledExample(text=t, level=corrected_level) for t in texts)
    return case


def _on_duty_and_supervisors():
    return [r.user for r in Responder.objects.select_related("user").filter(user__is_active=True) if r.on_duty or r.role == Responder.Role.SUPERVISOR]


def _case_link(case) -> str:
    return settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse("crisis:case", args=[case.pk])


def cases_escalate(now: datetime | None = None) -> int:
    """Urgent cases still unclaimed 15 minutes after they became urgent: mail every on-duty
    responder and the supervisors (a link and the level, nothing else). Once per case."""
    now = now or timezone.now()
    due = list(Case.objects.filter(status=Case.Status.OPEN, escalated_at__isnull=True, urgent_since__lte=now - ESCALATE_AFTER))
    if not due:
        return 0
    recipients = sorted({u.email for u in _on_duty_and_supervisors() if u.email})
    for case in due:
        with transaction.atomic():
            updated = Case.objects.filter(pk=case.pk, escalated_at__isnull=True, status=Case.Status.OPEN).update(escalated_at=now)
            if not updated:
                continue
            audit_record(actor=None, action="crisis.escalate", target=case, data={"level": case.level, "recipients": len(recipients)})
            link, level = _case_link(case), case.level
            if recipients:
                transaction.on_commit(lambda link=link, level=level: send_mail(
                    _("Urgent crisis case unclaimed (level %(level)s)") % {"level": level},
                    _("An urgent case has waited 15 minutes without a responder. Open it: %(link)s") % {"link": link},
                    None, recipients,
                ))
    return len(due)


def bulletin_send() -> int:
    """The daily bulletin: open cases by level, to supervisors and on-duty responders. Counts only."""
    counts = {}
    for level in Case.objects.exclude(status=Case.Status.CLOSED).values_list("level", flat=True):
        counts[level] = counts.get(level, 0) + 1
    recipients = sorted({u.email for u in _on_duty_and_supervisors() if u.email})
    if not recipients:
        return 0
    lines = [_("Open crisis cases by level:")] + [f"  {level}: {counts[level]}" for level in sorted(counts, reverse=True)]
    if not counts:
        lines.append(_("none"))
    lines.append(settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse("crisis:queue"))
    send_mail(_("Crisis cases: daily bulletin"), "\n".join(lines), None, recipients)
    return len(recipients)


def cases_purge(now: datetime | None = None) -> int:
    """Closed cases older than the retention: handles and URLs go; the text stays (without
    them) only where the source allows research use, with the corrected level as an example."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.JUSHA_CRISIS_RETENTION_DAYS)
    purged = 0
    for case in Case.objects.select_related("source").filter(status=Case.Status.CLOSED, closed_at__lt=cutoff, purged_at__isnull=True):
        with transaction.atomic():
            posts = Post.objects.filter(case=case)
            if case.source.keep_for_research:
                posts.update(author_enc=b"", url_enc=None, author_digest="")
            else:
                posts.delete()
            Case.objects.filter(pk=case.pk).update(author_enc=b"", author_digest=f"purged-{case.pk}", purged_at=now)
            audit_record(actor=None, action="crisis.purge", target=case)
            purged += 1
    return purged


def rotate_keys() -> int:
    """Re-encrypt every handle and URL with the newest key (MultiFernet.rotate)."""
    count = 0
    for model, fields in ((Post, ("author_enc", "url_enc")), (Case, ("author_enc",))):
        for row in model.objects.only("pk", *fields).iterator():
            changes = {f: crypto.rotate(getattr(row, f)) for f in fields if getattr(row, f)}
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)
                count += 1
    return count
