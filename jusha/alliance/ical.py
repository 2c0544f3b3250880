"""The shared giving-day calendar: our published campaigns as an iCalendar feed (RFC 5545,
the `icalendar` package), and the reading of a partner platform's feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jusha.alliance.rules import xml_text

MAX_EVENTS = 500
PRODID = "-//Jusha 聚沙//giving days//ZH"


def feed(campaigns, *, site_name: str, base: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{site_name} · 公益日")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = base.split("://", 1)[-1].split("/", 1)[0]
    for campaign in campaigns:
        event = icalendar.Event()
        event.add("uid", f"campaign-{campaign.pk}@{host}")
        event.add("summary", campaign.title)
        if campaign.summary:
            event.add("description", campaign.summary)
        event.add("dtstart", campaign.starts_at.astimezone(dt_timezone.utc))
        event.add("dtend", campaign.ends_at.astimezone(dt_timezone.utc))
        event.add("dtstamp", (campaign.published_at or campaign.created_at).astimezone(dt_timezone.utc))
        event.add("url", base.rstrip("/") + reverse("campaigns:detail", args=[campaign.slug]))
        event.add("categories", ["giving day"])
        calendar.add_component(event)
    return calendar.to_ical()


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    title: str
    url: str
    starts_at: datetime
    ends_at: datetime | None


class FeedError(ValueError):
    pass


def _moment(value) -> datetime | None:
    if value is None:
        return None
    value = value.dt
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):  # an all-day event: midnight where the platform lives
        return timezone.make_aware(datetime.combine(value, time.min))
    return None


def parse(data: bytes, *, now: datetime | None = None, horizon_days: int = 400) -> list[FeedEvent]:
    """The events of a partner's feed that end after `now` - 30 days and start within
    `horizon_days`; at most MAX_EVENTS. Text is cleaned of what a page cannot hold."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise FeedError("not an iCalendar feed") from exc
    now = now or timezone.now()
    found = []
    for component in calendar.walk("VEVENT"):
        starts = _moment(component.get("dtstart"))
        ends = _moment(component.get("dtend"))
        uid = xml_text(component.get("uid", ""))[:300]
        title = xml_text(component.get("summary", ""))[:200]
        if starts is None or not uid or not title:
            continue
        if (ends or starts) < now - timedelta(days=30) or starts > now + timedelta(days=horizon_days):
            continue
        url = xml_text(component.get("url", ""))[:500]
        found.append(FeedEvent(uid, title, url if url.startswith(("https://", "http://")) else "", starts, ends))
        if len(found) >= MAX_EVENTS:
            break
    return sorted(found, key=lambda e: e.starts_at)
