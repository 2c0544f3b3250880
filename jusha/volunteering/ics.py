"""A sign-up as an iCalendar file (RFC 5545), for any phone's or computer's calendar."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Event


def signup_calendar(signup, *, link: str) -> bytes:
    shift, activity = signup.shift, signup.shift.activity
    calendar = Calendar()
    calendar.add("prodid", "-//Jusha//volunteering//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = settings.JUSHA_PUBLIC_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "jusha"
    event.add("uid", f"volunteer-signup-{signup.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", activity.title)
    event.add("description", "\n\n".join(p for p in (activity.description, activity.safety_briefing, link) if p))
    if activity.place:
        event.add("location", activity.place)
    event.add("url", link)
    event.add("organizer", f"mailto:{activity.organisation.contact_email}", parameters={"cn": activity.organisation.name})
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", activity.title)
    alarm.add("trigger", -timedelta(hours=2))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
