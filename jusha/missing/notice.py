"""The notice's answer: a few cases for a site key and region, as JSON, with cache headers
short enough that a found child leaves every cache within JUSHA_MISSING_NOTICE_MAX_AGE.

Shared by the API endpoint and the bench; no cookies, `Vary: Accept-Language` only."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from jusha.missing import rules
from jusha.missing.permissions import notice_site
from jusha.missing.selectors import notice_cases
from jusha.projects.regions import region_label


def notice_payload(request, key: str, region: str = "") -> dict:
    site = notice_site(key)
    if site is None:
        return {"cases": []}
    region = region if rules.region_prefixes(region) else site.region_code
    today = timezone.localdate()
    cases = notice_cases(region=region or "")
    return {"lang": site.language, "cases": [
        {
            "id": case.pk,
            "name": case.name,
            "age": rules.age_on(case.birth_date, today),
            "sex": case.sex,
            "lost_at": timezone.localtime(case.lost_at).isoformat(),
            "region": region_label(case.region_code),
            "photo": request.build_absolute_uri(reverse("missing:photo", args=[case.pk, "notice"]))
            if case.notice_photo else None,
            "url": request.build_absolute_uri(reverse("missing:case", args=[case.pk])),
        }
        for case in cases
    ]}


def public_headers(response: HttpResponse) -> HttpResponse:
    """Cacheable by anyone for the notice window, readable from any origin, no cookie."""
    response["Cache-Control"] = f"public, max-age={settings.JUSHA_MISSING_NOTICE_MAX_AGE}"
    response["Vary"] = "Accept-Language"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET"
    response.cookies.clear()
    response._missing_public = True
    return response


# The answer is kept in each app process, keyed by (host, key, region), for as long as the
# notice's generation stays the same, and at most MEMO_SECONDS (so an expiry date passing at
# midnight shows within seconds). The generation is a token every change to what a notice
# may show replaces (a case created, changed, found or withdrawn; a site or a partner
# revoked). A fresh answer therefore never holds a case found before it was asked for, and
# a kept answer costs one read of the token instead of three queries.
#
# Where the token lives (JUSHA_MISSING_GENERATION_STORE): "file", a small file under
# JUSHA_VAR_DIR that every process on the machine reads (SQLite deployments: one machine, and
# no database connection opened for a kept answer); "cache", Django's shared cache (Redis or
# the database: several machines).
GENERATION_KEY = "missing:notice:generation"
MEMO_SECONDS = 5.0
MEMO_LIMIT = 10_000
_memo: dict[tuple, tuple[str, float, bytes]] = {}


def _generation_file() -> Path:
    return Path(settings.VAR_DIR) / "missing-notice.generation"


def generation() -> str:
    if settings.JUSHA_MISSING_GENERATION_STORE == "file":
        try:
            return _generation_file().read_text()
        except FileNotFoundError:
            notice_changed()
            return _generation_file().read_text()
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY) or ""
    return token


def notice_changed() -> None:
    """Every memo of every process is out of date from now on."""
    token = uuid.uuid4().hex
    if settings.JUSHA_MISSING_GENERATION_STORE == "file":
        path = _generation_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{token}")
        temporary.write_text(token)
        os.replace(temporary, path)  # atomic: a reader sees the old token or the new one
    else:
        cache.set(GENERATION_KEY, token, timeout=None)


def notice_body(request, key: str, region: str = "") -> bytes:
    memo_key = (request.get_host(), request.is_secure(), key[:40], region[:6])
    token = generation()  # read before the database: a change after it gives a new token
    now = time.monotonic()
    kept = _memo.get(memo_key)
    if kept is not None and kept[0] == token and now - kept[1] < MEMO_SECONDS:
        return kept[2]
    body = json.dumps(notice_payload(request, key, region), ensure_ascii=False, separators=(",", ":")).encode()
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[memo_key] = (token, now, body)
    return body


def notice_response(request, key: str, region: str = "") -> HttpResponse:
    return public_headers(HttpResponse(notice_body(request, key, region), content_type="application/json"))
