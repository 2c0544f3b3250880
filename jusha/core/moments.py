"""Times as people read them: the one helper every template and message uses for a
moment (`when`) or a day (`day`), in the reader's language and the site's time zone.

Recent moments read in words ("刚刚", "5 分钟前", "今天 07:53", "昨天 21:10"), older ones
as a date ("12月6日 07:53" this year, "2025年3月1日 07:53" before). Machines get RFC 3339
(`iso`), which templates put in <time datetime> beside the words (see
templatetags.time_tags)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import get_language, gettext as _, ngettext


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _date_text(value: dt.date, *, with_year: bool) -> str:
    if _chinese():
        return f"{value.year}年{value.month}月{value.day}日" if with_year else f"{value.month}月{value.day}日"
    month = value.strftime("%b")
    return f"{value.day} {month} {value.year}" if with_year else f"{value.day} {month}"


def day(value, *, now: dt.datetime | None = None) -> str:
    """A day (a date, or the local day of a moment) in words: "2026年12月6日" / "6 Dec 2026";
    "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _date_text(value, with_year=True)


def full(value) -> str:
    """A moment with its date and minute, always absolute: "2026年12月6日 07:53"."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{_date_text(local.date(), with_year=True)} {local:%H:%M}"


def when(value, *, now: dt.datetime | None = None) -> str:
    """A moment in words, relative to now when it is recent; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return day(value)
    now = now or timezone.now()
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    local_now = timezone.localtime(now) if timezone.is_aware(now) else now
    seconds = (now - value).total_seconds() if timezone.is_aware(value) == timezone.is_aware(now) else None
    if seconds is not None and 0 <= seconds < 60:
        return _("just now")
    if seconds is not None and 0 <= seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
    clock = f"{local:%H:%M}"
    if local.date() == local_now.date():
        return _("today %(time)s") % {"time": clock}
    if local.date() == local_now.date() - dt.timedelta(days=1):
        return _("yesterday %(time)s") % {"time": clock}
    return f"{_date_text(local.date(), with_year=local.year != local_now.year)} {clock}"


def iso(value) -> str:
    """RFC 3339 with the site's offset, for <time datetime> and machines."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()
