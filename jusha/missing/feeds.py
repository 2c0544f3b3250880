"""Partner feeds, the pure part: CSV or JSON bytes → rows of case values under a field
mapping, each row either valid or with one clear error. No database, no network.

Common fields (the mapping's keys, and the column names it assumes when none is given):
id, name, sex, birth_time, lost_time, child_pic, lost_place, url, child_feature, city,
province, expire; also `region` (a GB/T 2260 code, used before city/province) and
`status` (active, found, withdrawn)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jusha.projects.regions import PREFECTURES, PROVINCES, REGIONS, is_valid_region

COMMON = ("id", "name", "sex", "birth_time", "lost_time", "child_pic", "lost_place", "url", "child_feature",
          "city", "province", "expire", "region", "status")
REQUIRED = ("id", "name", "birth_time", "lost_time", "expire")
MAX_ROWS = 5000
SEXES = {"m": "m", "male": "m", "男": "m", "1": "m", "f": "f", "female": "f", "女": "f", "2": "f",
         "": "u", "u": "u", "unknown": "u", "未知": "u", "0": "u"}
STATUSES = {"": "active", "active": "active", "found": "found", "已找到": "found", "withdrawn": "withdrawn",
            "撤销": "withdrawn"}


class FeedUnreadable(ValueError):
    """The whole file cannot be read (not CSV/JSON, not a list of records, too many rows)."""


@dataclass
class Row:
    number: int  # 1-based, as a person counts the records (a CSV's header is not one)
    ref: str = ""
    status: str = "active"
    values: dict = field(default_factory=dict)
    photo_url: str = ""
    error: str = ""


def parse(data: bytes, fmt: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedUnreadable(_("The file is not UTF-8 text.")) from exc
    if fmt == "json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FeedUnreadable(_("The file is not valid JSON (line %(line)d).") % {"line": exc.lineno}) from exc
        if isinstance(records, dict):
            records = records.get("items", records.get("cases"))
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise FeedUnreadable(_("The JSON must be a list of records (or {\"items\": [...]})."))
    elif fmt == "csv":
        try:
            records = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise FeedUnreadable(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc
    else:
        raise FeedUnreadable(_("Choose CSV or JSON."))
    if len(records) > MAX_ROWS:
        raise FeedUnreadable(_("A feed may hold at most %(n)d records.") % {"n": MAX_ROWS})
    return records


def _date(text: str) -> dt.date | None:
    text = (text or "").strip()
    for parse_ in (dt.date.fromisoformat, lambda t: dt.datetime.fromisoformat(t).date()):
        try:
            return parse_(text.replace("/", "-"))
        except ValueError:
            continue
    return None


def _datetime(text: str, tz) -> dt.datetime | None:
    text = (text or "").strip().replace("/", "-")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        day = _date(text)
        if day is None:
            return None
        value = dt.datetime.combine(day, dt.time(12))
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _name_match(name: str, candidates: dict[str, str]) -> str | None:
    name = (name or "").strip()
    if not name:
        return None
    for code, full in candidates.items():
        if full == name or full.rstrip("市省县区") == name.rstrip("市省县区"):
            return code
    return None


def place_code(record: dict) -> str | None:
    code = str(record.get("region") or "").strip()
    if code:
        return code if is_valid_region(code) else None
    province = _name_match(record.get("province"), PROVINCES)
    city_pool = {c: n for c, n in {**PREFECTURES, **REGIONS}.items() if not province or c[:2] == province[:2]}
    city = _name_match(record.get("city"), {c: n for c, n in city_pool.items() if not c.endswith("0000")})
    return city or province


def rows(records: list[dict], mapping: dict[str, str], *, today: dt.date, tz) -> list[Row]:
    """Each record as a Row: values for a case, or the first thing wrong with it."""
    seen: set[str] = set()
    out = []
    for number, raw in enumerate(records, start=1):
        record = {key: str(raw.get(mapping.get(key) or key, "") or "").strip() for key in COMMON}
        row = Row(number=number, ref=record["id"])
        row.error = _check(record, row, seen, today, tz)
        if row.ref:
            seen.add(row.ref)
        out.append(row)
    return out


def _check(record: dict, row: Row, seen: set, today, tz) -> str:
    for key in REQUIRED:
        if not record[key]:
            return _("The field “%(field)s” is missing.") % {"field": key}
    if len(row.ref) > 64:
        return _("The id is longer than 64 characters.")
    if row.ref in seen:
        return _("The id “%(id)s” appears twice in this feed.") % {"id": row.ref}
    status = STATUSES.get(record["status"].lower())
    if status is None:
        return _("The status must be active, found or withdrawn.")
    row.status = status
    sex = SEXES.get(record["sex"].lower())
    if sex is None:
        return _("The sex must be m, f or empty.")
    birth = _date(record["birth_time"])
    if birth is None or birth > today:
        return _("The birth date “%(value)s” is not a date (YYYY-MM-DD) in the past.") % {"value": record["birth_time"]}
    lost = _datetime(record["lost_time"], tz)
    if lost is None or lost.date() > today or lost.date() < birth:
        return _("The date last seen “%(value)s” is not a date between the birth date and today.") % {
            "value": record["lost_time"]}
    expire = _date(record["expire"])
    if expire is None:
        return _("The expiry “%(value)s” is not a date (YYYY-MM-DD).") % {"value": record["expire"]}
    region = place_code(record)
    if region is None:
        return _("The place (region, city, province) is not a known GB/T 2260 division.")
    for key, limit in (("name", 80), ("lost_place", 200), ("child_feature", 2000)):
        if len(record[key]) > limit:
            return _("The field “%(field)s” is too long.") % {"field": key}
    url = record["url"]
    if url and not url.startswith(("http://", "https://")):
        return _("The url must start with http:// or https://.")
    pic = record["child_pic"]
    if pic and not pic.startswith(("http://", "https://")):
        return _("The picture must be an http:// or https:// address.")
    row.photo_url = pic
    row.values = {
        "ref": row.ref, "name": record["name"], "sex": sex, "birth_date": birth, "lost_at": lost,
        "region_code": region, "lost_place": record["lost_place"] or (record["city"] or record["province"]),
        "features": record["child_feature"], "source_url": url, "expires_on": expire,
    }
    return ""
