"""The alliance's pages and machine answers: open data (/data/), the giving-day calendar
and partners (/alliance/), the webhooks page of an organisation's owners, and the
ActivityPub endpoints (WebFinger, actors, outboxes, inboxes)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jusha.alliance import federation, ical, opendata, selectors, services
from jusha.alliance.forms import EndpointForm
from jusha.alliance.permissions import (
    access_actor,
    access_delivery,
    access_endpoint,
    access_open_organisation,
    endpoints_visible,
    open_organisation_or_none,
    organisations_owned,
)
from jusha.alliance.rules import EVENTS
from jusha.core import spreadsheet
from jusha.core.errors import DomainError, NotFound
from jusha.core.pages import domain_errors
from jusha.ledger.schemas import ledger_rows
from jusha.ledger.selectors import with_expenditures

DATA_CACHE = "public, max-age=300"


def _licence() -> dict:
    return {"name": settings.JUSHA_DATA_LICENCE, "url": settings.JUSHA_DATA_LICENCE_URL}


# --- open data ------------------------------------------------------------------------------

@require_GET
def data_index(request):
    return render(request, "alliance/data.html", {
        "organisations": selectors.open_data_organisations(),
        "licence": _licence(),
        "platform_slug": settings.JUSHA_PLATFORM_SLUG,
    })


def _xml(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = DATA_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    response["Link"] = f'<{settings.JUSHA_DATA_LICENCE_URL}>; rel="license"'
    return response


@require_GET
@domain_errors
def iati_activities(request, slug):
    organisation = access_open_organisation(slug=slug)
    body = opendata.iati_activities(organisation)
    if body is None:  # an activity file needs at least one activity
        return JsonResponse({"detail": _("This organisation has no public project yet."), "code": "no_activities"},
                            status=404)
    return _xml(body, f"{slug}-activities.xml")


@require_GET
@domain_errors
def iati_organisation(request, slug):
    organisation = access_open_organisation(slug=slug)
    return _xml(opendata.iati_organisation(organisation), f"{slug}-organisation.xml")


@require_GET
def giving360(request, slug):
    """404 for an organisation that made no grants: a 360Giving package needs at least one."""
    organisation = open_organisation_or_none(slug=slug)
    if organisation is not None:
        grants, funder = opendata.giving360_grants(organisation), organisation.name
    elif slug == settings.JUSHA_PLATFORM_SLUG:
        grants = [g for provided in opendata.grant_providers.collect(slug) for g in provided]
        funder = settings.JUSHA_SITE_NAME
    else:
        grants = []
    if not grants:
        return JsonResponse({"detail": _("This organisation has published no grants."), "code": "no_grants"},
                            status=404)
    package = opendata.giving360_package(funder, grants)
    response = HttpResponse(json.dumps(package, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = DATA_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    response["Link"] = f'<{settings.JUSHA_DATA_LICENCE_URL}>; rel="license"'
    return response


LEDGER_COLUMNS = ["id", "created_at", "organisation", "project", "kind", "direction", "amount", "currency", "memo",
                  "budget_line", "description", "spent_on", "voucher_sha256", "voucher_url"]


class _Echo:
    def write(self, value):
        return value


@require_GET
def ledger_csv(request):
    """Every journal entry of every public project, oldest first, streamed in chunks."""
    def lines():
        writer = spreadsheet.writer(_Echo())
        yield "\ufeff" + writer.writerow(LEDGER_COLUMNS)
        last = 0
        with translation.override("en"):
            while True:
                chunk = list(opendata.public_entries().filter(pk__gt=last)[:1000])
                if not chunk:
                    return
                last = chunk[-1].pk
                entries = with_expenditures(chunk)
                rows = ledger_rows(entries, media_url=lambda f: request.build_absolute_uri(f.url))
                for row, entry in zip(rows, entries):
                    row["organisation"] = entry.project.organisation.slug
                    row["project"] = entry.project.slug
                    yield writer.writerow([row.get(c, "") for c in LEDGER_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jusha-ledger.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Link"] = f'<{settings.JUSHA_DATA_LICENCE_URL}>; rel="license"'
    return response


# --- calendar and partners -----------------------------------------------------------------

@require_GET
@cache_control(public=True, max_age=600)
def calendar_ics(request):
    body = ical.feed(selectors.calendar_campaigns(), site_name=settings.JUSHA_SITE_NAME,
                     base=settings.JUSHA_PUBLIC_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="jusha-giving-days.ics"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def alliance_index(request):
    return render(request, "alliance/index.html", {
        "days": selectors.giving_days(),
        "partner_projects": selectors.partner_projects(),
        "partners": selectors.active_partners(),
        "calendar_url": request.build_absolute_uri("/alliance/calendar.ics"),
    })


# --- webhooks (owners' page) ----------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def webhooks(request):
    endpoints = endpoints_visible(user=request.user)
    owned = organisations_owned(user=request.user)
    form = EndpointForm(request.POST or None, organisations=owned, staff=request.user.is_staff)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            organisation = form.cleaned_data["organisation"] or None
            created = services.endpoint_create(
                organisation=organisation, url=form.cleaned_data["url"], events=form.cleaned_data["events"],
                description=form.cleaned_data["description"], actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
    return render(request, "alliance/webhooks.html", {
        "endpoints": selectors.endpoint_summaries(endpoints), "form": form, "created": created,
        "events": EVENTS,
    })


@login_required
@require_POST
@domain_errors
def webhook_replay(request, pk, delivery):
    found = access_delivery(user=request.user, endpoint_pk=pk, pk=delivery)
    try:
        services.delivery_replay(delivery=found, actor=request.user)
        messages.success(request, _("The delivery is being sent again."))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("alliance:webhooks")


@login_required
@require_POST
@domain_errors
def webhook_switch(request, pk):
    endpoint = access_endpoint(user=request.user, pk=pk)
    services.endpoint_set_active(endpoint=endpoint, active=not endpoint.active, actor=request.user,
                                 reason="Switched off by its owner.")
    return redirect("alliance:webhooks")


# --- ActivityPub ------------------------------------------------------------------------------

def _activity_json(document: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False), status=status,
                            content_type=federation.CONTENT_TYPE + "; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"detail": str(exc.detail), "code": exc.code}, status=exc.status)


def _wants_activity(request) -> bool:
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in federation.ACCEPTS)


@require_GET
def webfinger(request):
    try:
        document = federation.webfinger(request.GET.get("resource", ""))
    except NotFound as exc:
        return _error(exc)
    response = JsonResponse(document, content_type="application/jrd+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def actor(request, kind, slug):
    try:
        thing = access_actor(kind=kind, slug=slug)
    except NotFound as exc:
        return _error(exc)
    if not _wants_activity(request):  # a person following the link: the page
        return HttpResponseRedirect(federation.actor_document(kind, thing)["url"])
    return _activity_json(federation.actor_document(kind, thing))


@require_GET
def outbox(request, kind, slug):
    try:
        thing = access_actor(kind=kind, slug=slug)
    except NotFound as exc:
        return _error(exc)
    return _activity_json(federation.outbox_document(kind, thing, page=request.GET.get("page") == "true"))


@require_GET
def followers(request, kind, slug):
    try:
        thing = access_actor(kind=kind, slug=slug)
    except NotFound as exc:
        return _error(exc)
    return _activity_json(federation.followers_document(kind, thing))


@csrf_exempt
@require_POST
def inbox(request, kind, slug):
    """A signed activity from another server (HTTP Signatures): 202, or 401 unsigned or
    forged, 400 malformed, 404 no such actor, 413 too large."""
    try:
        status = federation.inbox_receive(kind=kind, slug=slug, path=request.get_full_path(),
                                          headers=dict(request.headers), body=request.body)
    except DomainError as exc:
        return _error(exc)
    return HttpResponse(status=status)
