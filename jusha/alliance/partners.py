"""Partner platforms: what they bring to the transparency log's witnessing (their witness
cosigns our checkpoints; ours cosigns theirs), and the worker's sync of their giving-day
calendar and fundraising projects (listed here, given to on their own pages: their ledger
stays canonical)."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urljoin

from django.db import transaction
from django.utils import timezone

from jusha.alliance import ical
from jusha.alliance.models import Partner, PartnerEvent, PartnerProject
from jusha.alliance.rules import xml_text
from jusha.transparency import remote

logger = logging.getLogger(__name__)

MAX_PROJECTS = 100
SLUG = re.compile(r"[A-Za-z0-9_-]{1,80}")


def partner_witnesses() -> list[tuple[str, str]]:
    return [(p.witness_vkey, p.witness_url) for p in Partner.objects.filter(active=True)
            .exclude(witness_vkey="").exclude(witness_url="")]


def partner_logs() -> list[str]:
    return list(Partner.objects.filter(active=True).exclude(log_vkey="").values_list("log_vkey", flat=True))


def calendar_sync(partner: Partner) -> int:
    events = ical.parse(remote.get(partner.calendar_url))
    with transaction.atomic():
        PartnerEvent.objects.filter(partner=partner).exclude(uid__in=[e.uid for e in events]).delete()
        for event in events:
            PartnerEvent.objects.update_or_create(partner=partner, uid=event.uid, defaults={
                "title": event.title, "url": event.url, "starts_at": event.starts_at, "ends_at": event.ends_at,
            })
    return len(events)


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def projects_sync(partner: Partner) -> int:
    """A partner's fundraising projects, from its Jusha API (`GET /api/v1/projects`)."""
    joiner = "&" if "?" in partner.projects_url else "?"
    answer = json.loads(remote.get(f"{partner.projects_url}{joiner}status=fundraising&limit={MAX_PROJECTS}"))
    items = answer.get("items") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise ValueError('the answer has no "items" list')
    base = partner.base_url.rstrip("/") + "/"
    kept = []
    with transaction.atomic():
        for item in items[:MAX_PROJECTS]:
            if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"].strip():
                continue
            slug = item.get("slug")
            if not isinstance(slug, str) or not SLUG.fullmatch(slug):
                continue  # it becomes part of a link: only a plain slug
            kept.append(slug)
            PartnerProject.objects.update_or_create(partner=partner, slug=slug, defaults={
                "title": xml_text(item["title"])[:200], "summary": xml_text(item.get("summary", ""))[:300],
                "url": urljoin(base, f"projects/{slug}/"), "cause": xml_text(item.get("cause", ""))[:20],
                "currency": xml_text(item.get("currency", "CNY"))[:3] or "CNY",
                "goal": _int(item.get("goal")), "raised": _int(item.get("raised")),
            })
        PartnerProject.objects.filter(partner=partner).exclude(slug__in=kept).delete()
    return len(kept)


def partner_sync(partner: Partner) -> dict:
    done, errors = {}, []
    for name, url, sync in (("events", partner.calendar_url, calendar_sync), ("projects", partner.projects_url, projects_sync)):
        if not url:
            continue
        try:
            done[name] = sync(partner)
        except (remote.FetchError, ical.FeedError, ValueError, UnicodeDecodeError) as exc:
            errors.append(f"{name}: {exc}"[:150])
    Partner.objects.filter(pk=partner.pk).update(synced_at=timezone.now(), sync_error="; ".join(errors)[:300])
    return done


def partners_sync() -> int:
    """The worker's job: every active partner's calendar and projects."""
    count = 0
    for partner in Partner.objects.filter(active=True):
        try:
            partner_sync(partner)
            count += 1
        except Exception:  # noqa: BLE001 - one partner must not stop the others
            logger.exception("partner %s sync failed", partner.pk)
    return count
