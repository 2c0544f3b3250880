"""Pages: the public list and case page (with its poster and photos), the sighting form,
the widget's script and iframe, a member's sites, a partner's dashboard."""

from __future__ import annotations

import mimetypes
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from jusha.core.audit import audit_record
from jusha.core.csp import csp_override
from jusha.core.errors import DomainError, Forbidden
from jusha.core.pages import domain_errors
from jusha.missing import rules, services
from jusha.missing.forms import CaseForm, FeedForm, FeedUploadForm, SightingForm, SightingStatusForm, SiteForm
from jusha.missing.models import Case, Sighting
from jusha.missing.notice import notice_payload, notice_response, public_headers
from jusha.missing.permissions import (access_case, access_feed, access_grantable, access_partner,
                                       access_partner_grants, partner_active, access_public_case, access_sighting,
                                       access_site, notice_site)
from jusha.missing.ratelimit import sighting_guard
from jusha.missing.selectors import (case_figures, case_sightings, cases_in_region, organisation_cases,
                                     organisation_sightings, outcomes_by_month, site_figures)
from jusha.projects.regions import province_choices, region_label
from jusha.social.charts import bar_chart
from jusha.social.posters import qr_matrix, qr_path

SCRIPT = Path(__file__).resolve().parent / "static" / "missing" / "404.js"


def _gone(request, case):
    return render(request, "missing/gone.html", {"case": case}, status=410)


@require_safe
def case_list(request):
    region = request.GET.get("region", "")
    if not rules.region_prefixes(region):
        region = ""
    page = Paginator(cases_in_region(region), 24).get_page(request.GET.get("page"))
    return render(request, "missing/list.html", {
        "page": page, "region": region, "provinces": province_choices(), "today": timezone.localdate(),
    })


def _case_context(case):
    return {"case": case, "age": rules.age_on(case.birth_date, timezone.localdate()),
            "region": region_label(case.region_code)}


@require_safe
@domain_errors
def case_detail(request, pk):
    case = access_public_case(pk=pk)
    if not case.is_active:
        return render(request, "missing/closed.html", {"case": case})
    if request.GET.get("src") == "404":
        site = notice_site(request.GET.get("site", ""))
        services.count(kind="click", site=site if site and site.pk else None, case=case)
    return render(request, "missing/case.html", _case_context(case))


@require_safe
@domain_errors
def poster(request, pk):
    case = access_public_case(pk=pk)
    if not case.is_active:
        return _gone(request, case)
    url = request.build_absolute_uri(reverse("missing:case", args=[case.pk]))
    matrix = qr_matrix(url)
    return render(request, "missing/poster.html", {
        **_case_context(case), "url": url, "qr_size": len(matrix), "qr_path": qr_path(matrix),
    })


@require_safe
@domain_errors
def photo(request, pk, kind):
    case = access_public_case(pk=pk)
    if not case.is_active:
        return HttpResponse(_("This person has been found."), status=410, content_type="text/plain; charset=utf-8")
    field = {"notice": case.notice_photo, "full": case.photo}.get(kind)
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if kind == "notice" else None)
    public_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@domain_errors
def sighting(request, pk):
    case = access_public_case(pk=pk)
    if not case.is_active:
        return render(request, "missing/closed.html", {"case": case})
    status = 200
    if request.method == "POST":
        form = SightingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                _guard(request, form.cleaned_data)
                services.sighting_submit(
                    case=case, place=form.cleaned_data["place"], seen_at=form.cleaned_data["seen_at"],
                    description=form.cleaned_data["description"], contact=form.cleaned_data["contact"],
                    photo=form.cleaned_data.get("photo"), site=_saved(notice_site(request.GET.get("site", ""))),
                )
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                messages.success(request, _("Thank you. Your sighting went to the organisation looking for this child."))
                return redirect("missing:case", pk=case.pk)
        else:
            status = 422
    else:
        form = SightingForm(initial={"started": signing.dumps(time.time(), salt="missing.sighting")})
    return render(request, "missing/sighting.html", {**_case_context(case), "form": form}, status=status)


def _saved(site):
    return site if site is not None and site.pk else None


def _guard(request, data) -> None:
    elapsed = None
    try:
        started = signing.loads(data.get("started") or "", salt="missing.sighting", max_age=86400)
        elapsed = int((time.time() - float(started)) * 1000)
    except (signing.BadSignature, TypeError, ValueError):
        elapsed = 0  # no valid start: treat as a robot's instant submission
    sighting_guard(request, honeypot=data.get("website", ""), elapsed_ms=elapsed)


@lru_cache(maxsize=1)
def _script_bytes() -> bytes:
    return SCRIPT.read_bytes()


@require_safe
def widget_script(request):
    response = HttpResponse(_script_bytes() if not settings.DEBUG else SCRIPT.read_bytes(),
                            content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
def frame(request):
    """The iframe fallback: the same notice, drawn by the server."""
    data = notice_payload(request, request.GET.get("site", ""), request.GET.get("region", ""))
    response = render(request, "missing/frame.html", {"cases": data["cases"][:1]})
    response["X-Frame-Options"] = ""
    del response["X-Frame-Options"]
    response.xframe_options_exempt = True
    return response


# --- a member's sites -----------------------------------------------------------------

@login_required
def sites(request):
    status = 200
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                site = services.site_register(owner=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                return redirect("missing:site", pk=site.pk)
        else:
            status = 422
    return render(request, "missing/sites.html", {
        "form": form, "sites": request.user.missing_sites.all(),
    }, status=status)


@login_required
@require_safe
@domain_errors
def site_detail(request, pk):
    site = access_site(user=request.user, pk=pk)
    base = request.build_absolute_uri("/").rstrip("/")
    return render(request, "missing/site.html", {"site": site, "base": base, "figures": site_figures(site)})


@login_required
@require_POST
@domain_errors
def site_revoke(request, pk):
    site = access_site(user=request.user, pk=pk)
    services.site_revoke(site=site, actor=request.user)
    return redirect("missing:sites")


# --- a partner's dashboard ------------------------------------------------------------

@login_required
@require_safe
@domain_errors
def dashboard(request, slug):
    organisation = access_partner(user=request.user, slug=slug)
    return render(request, "missing/dashboard.html", {
        "organisation": organisation,
        "cases": organisation_cases(organisation)[:200],
        "sightings": organisation_sightings(organisation, Sighting.Status.NEW)[:100],
    })


def _values(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "photo"}


@login_required
@domain_errors
def case_new(request, slug):
    organisation = access_partner(user=request.user, slug=slug)
    form = CaseForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = services.case_create(organisation=organisation, values=_values(form),
                                            photo=form.cleaned_data.get("photo"), actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                return redirect("missing:manage", pk=case.pk)
        else:
            status = 422
    return render(request, "missing/case_form.html", {"organisation": organisation, "form": form}, status=status)


@login_required
@domain_errors
def case_manage(request, pk):
    """The case with its private fields: every view is audit-logged."""
    case = access_case(user=request.user, pk=pk)
    status = 200
    if request.method == "POST":
        form = CaseForm(request.POST, request.FILES, instance=access_case(user=request.user, pk=pk))
        if form.is_valid():
            try:
                services.case_update(case=case, values=_values(form), photo=form.cleaned_data.get("photo"),
                                     actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                messages.success(request, _("Saved."))
                return redirect("missing:manage", pk=case.pk)
        else:
            status = 422
    else:
        form = CaseForm(instance=case)
    services.case_private_viewed(case=case, actor=request.user, where="manage")
    return render(request, "missing/manage.html", {
        "case": case, "form": form, "sightings": case_sightings(case), "figures": case_figures(case),
        "status_form": SightingStatusForm(),
    }, status=status)


@login_required
@require_POST
@domain_errors
def case_close(request, pk):
    case = access_case(user=request.user, pk=pk)
    target = request.POST.get("status", "")
    if target not in (Case.Status.FOUND, Case.Status.WITHDRAWN):
        messages.error(request, _("Choose found or withdrawn."))
        return redirect("missing:manage", pk=case.pk)
    try:
        services.case_close(case=case, status=target, roles=case.viewer_roles, actor=request.user)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("missing:manage", pk=case.pk)


@login_required
@require_POST
@domain_errors
def sighting_status(request, pk):
    sighting = access_sighting(user=request.user, pk=pk)
    form = SightingStatusForm(request.POST)
    if form.is_valid():
        try:
            services.sighting_move(sighting=sighting, status=form.cleaned_data["status"],
                                   roles=sighting.viewer_roles, actor=request.user)
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, str(exc.detail))
    return redirect("missing:manage", pk=sighting.case_id)


@login_required
@require_GET
@domain_errors
def sighting_photo(request, pk):
    """A sighting's photo: never public (private storage), to the case's organisation and
    staff only, each view in the audit log."""
    sighting = access_sighting(user=request.user, pk=pk)
    if not sighting.photo:
        raise Http404
    audit_record(actor=request.user, action="missing.sighting_photo_view", target=sighting, data={"case": sighting.case_id})
    try:
        handle = sighting.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, content_type=mimetypes.guess_type(sighting.photo.name)[0] or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- partner feeds --------------------------------------------------------------------

FEED_MAX_BYTES = 4 << 20


@login_required
@domain_errors
def feeds(request, slug):
    organisation = access_partner(user=request.user, slug=slug)
    form = FeedForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feed = services.feed_create(organisation=organisation, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                return redirect("missing:feed", slug=slug, pk=feed.pk)
        else:
            status = 422
    return render(request, "missing/feeds.html", {
        "organisation": organisation, "form": form, "feeds": organisation.missing_feeds.all(),
    }, status=status)


@login_required
@domain_errors
def feed(request, slug, pk):
    feed = access_feed(user=request.user, slug=slug, pk=pk)
    organisation = feed.organisation
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > FEED_MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)d MB.") % {"mb": FEED_MAX_BYTES >> 20})
            status = 413
        else:
            run = services.feed_import(feed=feed, data=upload.read(), actor=request.user)
            status = 200 if run.outcome == "applied" else 422
    elif request.method == "POST":
        status = 422
    return render(request, "missing/feed.html", {
        "organisation": organisation, "feed": feed, "form": form, "runs": feed.runs.all()[:10],
    }, status=status)


@require_safe
def impact(request):
    """Outcomes by month, public: a chart drawn on the server with its table beside it."""
    rows = outcomes_by_month()
    chart = bar_chart([(row["month"].strftime("%Y-%m"), row["found"], str(row["found"])) for row in rows])
    return render(request, "missing/impact.html", {
        "rows": rows, "chart": chart,
        "found": sum(r["found"] for r in rows), "with_sighting": sum(r["with_sighting"] for r in rows),
    })


@login_required
@domain_errors
def partners(request):
    """Staff grant or revoke an organisation's permission to publish missing persons."""
    organisations = access_partner_grants(user=request.user)
    if request.method == "POST":
        organisation = access_grantable(user=request.user, slug=request.POST.get("organisation", ""))
        if request.POST.get("action") == "revoke":
            services.partner_revoke(organisation=organisation, actor=request.user)
        else:
            services.partner_grant(organisation=organisation, actor=request.user)
        return redirect("missing:partners")
    rows = [(o, partner_active(o)) for o in organisations]
    return render(request, "missing/partners.html", {"rows": rows})


def notice(request):
    """GET /api/v1/missing/notice, served by this plain view ahead of the API's router (the
    router's operation documents it in the OpenAPI schema, with the same answer): the widget
    asks it on every 404 page it is on, and a kept answer is as cheap as a bare JSON view."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"detail": _("Method not allowed."), "code": "method_not_allowed"}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    return notice_response(request, request.GET.get("site", ""), request.GET.get("region", ""))
