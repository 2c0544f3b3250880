"""The notice's answer: a few cases for a site key and region, as JSON, with cache headers
short enough that a found child leaves every cache within JUSHA_MISSING_NOTICE_MAX_AGE.

Shared by the API endpoint and the bench; no cookies, `Vary: Accept-Language` only."""

from __future__ import annotations

import json

from django.conf import settings
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


def notice_response(request, key: str, region: str = "") -> HttpResponse:
    body = json.dumps(notice_payload(request, key, region), ensure_ascii=False, separators=(",", ":"))
    return public_headers(HttpResponse(body, content_type="application/json"))
