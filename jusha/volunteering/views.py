"""Volunteering's pages: activities and sign-up, the organiser's shift screen with its
rotating code, the check-in link a phone's camera opens, a member's hours and pledge,
certificates and their public verification, groups, and the figures."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.audit import audit_record
from jusha.core.errors import DomainError, Forbidden
from jusha.core.pages import domain_errors
from jusha.fulfilment.permissions import access_batch
from jusha.organisations.permissions import access_organisation
from jusha.projects.regions import is_valid_region
from jusha.volunteering import forms, groups, hours, ics, rules, selectors, services, states, verify
from jusha.volunteering.permissions import (
    access_activity, access_activity_to_run, access_group, access_hours_record, access_proposal, access_shift,
    access_shift_to_run, access_signup,
)
from jusha.volunteering.qr import qr_svg

SCAN_SALT = "jusha.volunteering.scan"
SCAN_GRACE = 180  # seconds between opening the link and pressing the button


def _attempt(request, call, success: str | None = None) -> bool:
    """Run a service for a page: its refusal becomes an error message (403 stays a page)."""
    try:
        call()
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return False
    if success:
        messages.success(request, success)
    return True


# --- public: activities ----------------------------------------------------------------------

@require_safe
def activity_list(request):
    region = request.GET.get("region", "")
    region = region if is_valid_region(region) else ""
    skill = request.GET.get("skill", "")[:30]
    day = None
    try:
        day = timezone.datetime.fromisoformat(request.GET["date"]).date() if request.GET.get("date") else None
    except ValueError:
        day = None
    activities = selectors.activities_open(region=region, day=day, skill=skill)
    page = Paginator(activities, 20).get_page(request.GET.get("page"))
    return render(request, "volunteering/list.html", {
        "page": page, "activities": page.object_list, "region": region, "skill": skill, "day": day,
        "pledge": selectors.pledge_of(request.user) if request.user.is_authenticated else None,
    })


@require_safe
@domain_errors
def activity_detail(request, pk):
    activity = access_activity(user=request.user, pk=pk)
    shifts = selectors.activity_shifts(activity)
    mine = selectors.signups_of_user_for(activity, request.user)
    for shift in shifts:
        shift.mine = mine.get(shift.pk)
    return render(request, "volunteering/detail.html", {
        "activity": activity, "shifts": shifts, "runs": bool(activity.viewer_roles & states.ORGANISERS),
        "cancel_form": forms.CancelForm(), "report_form": forms.ReportForm(initial={"activity": activity.pk}),
    })


@login_required
@require_POST
@domain_errors
def signup(request, pk):
    shift = access_shift(user=request.user, pk=pk)
    box = {}
    if _attempt(request, lambda: box.setdefault("s", services.signup_create(shift=shift, volunteer=request.user))):
        if box["s"].status == "waitlisted":
            messages.info(request, _("The shift is full: you are on the waitlist and will be told when a place frees up."))
        else:
            messages.success(request, _("You are signed up. Add it to your calendar, and check in with the code on the day."))
    return redirect("volunteering:activity", shift.activity_id)


@login_required
@require_POST
@domain_errors
def signup_cancel(request, pk):
    signup = access_signup(user=request.user, pk=pk)
    _attempt(request, lambda: services.signup_cancel(signup=signup, actor=request.user), _("Your sign-up is cancelled."))
    if signup.volunteer_id != request.user.pk:
        return redirect("volunteering:run_shift", signup.shift_id)
    return redirect("volunteering:activity", signup.shift.activity_id)


@login_required
@require_safe
@domain_errors
def signup_ics(request, pk):
    signup = access_signup(user=request.user, pk=pk)
    link = request.build_absolute_uri(reverse("volunteering:activity", args=[signup.shift.activity_id]))
    response = HttpResponse(ics.signup_calendar(signup, link=link), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jusha-volunteer-{signup.pk}.ics"'
    return response


# --- organisers ------------------------------------------------------------------------------

@login_required
@domain_errors
def activity_new(request, slug):
    organisation = access_organisation(user=request.user, slug=slug, roles=states.ORGANISERS)
    proposal_id = request.GET.get("proposal", "")
    proposal = access_proposal(user=request.user, pk=int(proposal_id)) if proposal_id.isdigit() else None
    initial = {"region_code": organisation.region_code}
    if proposal is not None:
        initial.update(title=proposal.title, description=proposal.note)
    form = forms.ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        box = {}

        def create():
            fields = dict(
                title=data["title"], description=data["description"],
                kind=data["kind"], cause=data["cause"], region_code=data["region_code"], place=data["place"],
                skills_wanted=data["skills_wanted"], safety_briefing=data["safety_briefing"],
                minimum_age=data["minimum_age"], recurrence=data["recurrence"], repeat=data["repeat"],
                cancel_deadline_hours=data["cancel_deadline_hours"],
                shifts=[(data["starts_at"], data["ends_at"], data["capacity"])])
            if proposal is not None:
                box["a"] = groups.proposal_decide(proposal=proposal, actor=request.user, accept=True, **fields).activity
            else:
                box["a"] = services.activity_create(organisation=organisation, actor=request.user, **fields)

        try:
            create()
        except Forbidden:
            raise
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            messages.success(request, _("The activity is open for sign-up."))
            return redirect("volunteering:activity", box["a"].pk)
    return render(request, "volunteering/activity_form.html",
                  {"organisation": organisation, "form": form, "proposal": proposal},
                  status=422 if request.method == "POST" else 200)


@login_required
@require_POST
@domain_errors
def activity_cancel(request, pk):
    activity = access_activity_to_run(user=request.user, pk=pk)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason: the volunteers are told it."))
    else:
        _attempt(request, lambda: services.activity_cancel(activity=activity, actor=request.user,
                                                           reason=form.cleaned_data["reason"]),
                 _("The activity is cancelled and every volunteer told."))
    return redirect("volunteering:activity", activity.pk)


@login_required
@require_safe
@domain_errors
def run_shift(request, pk):
    shift = access_shift_to_run(user=request.user, pk=pk)
    signups = selectors.roster(shift)
    audit_record(actor=request.user, action="volunteering.roster_view", target=shift)  # emergency contacts shown
    return render(request, "volunteering/run.html", {
        "shift": shift, "activity": shift.activity, "signups": signups, "now": timezone.now(),
        "window": rules.checkin_window(shift.starts_at, shift.ends_at),
    })


@login_required
@require_safe
@domain_errors
def shift_code(request, pk):
    """The organiser's phone: the shift's rotating code (a new one every 30 s; the page
    reloads itself when it changes, without JavaScript)."""
    shift = access_shift_to_run(user=request.user, pk=pk)
    purpose = "out" if request.GET.get("purpose") == "out" else "in"
    now = timezone.now().timestamp()
    token = services.shift_token(shift, purpose, now)
    url = request.build_absolute_uri(reverse("volunteering:scan") + "?t=" + token)
    opens, closes = rules.checkin_window(shift.starts_at, shift.ends_at)
    response = render(request, "volunteering/code.html", {
        "shift": shift, "activity": shift.activity, "purpose": purpose, "qr": qr_svg(url, label=_("Check-in code")),
        "url": url, "refresh": rules.seconds_left(now), "opens": opens, "closes": closes,
        "taken": selectors.shift_taken(shift),
    })
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@domain_errors
def roster_action(request, pk, action):
    signup = access_signup(user=request.user, pk=pk)
    shift = access_shift_to_run(user=request.user, pk=signup.shift_id)
    calls = {
        "no-show": (lambda: services.signup_mark_no_show(signup=signup, actor=request.user), _("Marked as absent.")),
        "check-in": (lambda: services.checkin_record(shift=shift, volunteer=signup.volunteer, actor=request.user),
                     _("Checked in.")),
        "check-out": (lambda: services.checkout_record(shift=shift, volunteer=signup.volunteer, actor=request.user),
                      _("Checked out: the minutes wait for confirmation.")),
    }
    if action not in calls:
        raise Http404
    call, success = calls[action]
    _attempt(request, call, success)
    return redirect("volunteering:run_shift", shift.pk)


@login_required
@domain_errors
def organisation_page(request, slug):
    organisation = access_organisation(user=request.user, slug=slug, roles=states.ORGANISERS | {"staff"})
    guardian_form = forms.GuardianForm(request.POST if request.POST.get("form") == "guardian" else None)
    assign_form = forms.AssignForm(request.POST if request.POST.get("form") == "assign" else None)
    if request.method == "POST":
        if guardian_form.is_bound and guardian_form.is_valid():
            volunteer = selectors.user_by_email(guardian_form.cleaned_data["email"])
            if volunteer is None:
                messages.error(request, _("No member has that email."))
            else:
                _attempt(request, lambda: services.guardian_consent_record(
                    organisation=organisation, volunteer=volunteer, actor=request.user,
                    guardian_name=guardian_form.cleaned_data["guardian_name"]), _("The guardian's consent is recorded."))
                return redirect("volunteering:organisation", organisation.slug)
        if assign_form.is_bound and assign_form.is_valid():
            data = assign_form.cleaned_data
            batch = access_batch(user=request.user, slug=data["project"], number=data["batch"], roles=states.ORGANISERS)
            volunteer = selectors.user_by_email(data["email"])
            if batch.project.organisation_id != organisation.pk or volunteer is None:
                messages.error(request, _("No such batch of this organisation, or no member with that email."))
            else:
                _attempt(request, lambda: hours.delivery_assign(
                    batch=batch, volunteer=volunteer, actor=request.user, deliverer_name=data["deliverer_name"],
                    minutes_per_delivery=data["minutes_per_delivery"]), _("The volunteer is assigned to the batch."))
                return redirect("volunteering:organisation", organisation.slug)
    return render(request, "volunteering/organisation.html", {
        "organisation": organisation, "activities": selectors.organisation_activities(organisation),
        "to_decide": selectors.hours_to_decide(organisation), "proposals": selectors.proposals_for(organisation),
        "figures": selectors.figures(organisation=organisation), "guardian_form": guardian_form,
        "assign_form": assign_form,
    }, status=422 if request.method == "POST" else 200)


@login_required
@require_POST
@domain_errors
def hours_decide(request, pk, action):
    if action not in ("confirm", "reject"):
        raise Http404
    record = access_hours_record(user=request.user, pk=pk, organiser=True)
    if action == "confirm":
        form = forms.ConfirmHoursForm(request.POST)
        minutes = form.cleaned_data["minutes"] if form.is_valid() else None
        if form.is_bound and request.POST.get("minutes") and minutes is None:
            messages.error(request, _("Give the minutes served (a whole number above 0)."))
        else:
            _attempt(request, lambda: hours.hours_confirm(record=record, actor=request.user, minutes=minutes),
                     _("Confirmed: the hours are now in the public log."))
    else:
        _attempt(request, lambda: hours.hours_reject(record=record, actor=request.user,
                                                     reason=request.POST.get("reason", "")), _("Not confirmed."))
    return redirect("volunteering:organisation", record.organisation.slug)


@login_required
@require_POST
@domain_errors
def proposal_decide(request, pk, action):
    if action not in ("accept", "decline"):
        raise Http404
    proposal = access_proposal(user=request.user, pk=pk)
    if action == "decline":
        _attempt(request, lambda: groups.proposal_decide(proposal=proposal, actor=request.user, accept=False),
                 _("The proposal is declined."))
        return redirect("volunteering:organisation", proposal.organisation.slug)
    return redirect(reverse("volunteering:activity_new", args=[proposal.organisation.slug]) + f"?proposal={proposal.pk}")


# --- the check-in link (what the phone's camera opens) ---------------------------------------

def scan(request):
    """GET: the code is read at once (so the 30 s it lasts do not run out while the member
    reads the page) and a button offered; POST: checked in or out."""
    token = request.GET.get("t", "")[:200]
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(reverse("accounts:login") + "?next=" + request.get_full_path())
        return _scan_post(request)
    context = {"token": token}
    try:
        claim, shift = services.open_token(token, timezone.now().timestamp())
        if claim.purpose == "in":
            services.checkin_window_check(shift, timezone.now())
    except DomainError as exc:
        return render(request, "volunteering/scan.html", {**context, "refusal": exc.detail}, status=exc.status)
    context.update(claim=claim, shift=shift, activity=shift.activity,
                   scanned=signing.TimestampSigner(salt=SCAN_SALT).sign(token))
    return render(request, "volunteering/scan.html", context)


def _scan_post(request):
    signer = signing.TimestampSigner(salt=SCAN_SALT)
    scanned = request.POST.get("scanned", "")
    try:
        token = signer.unsign(scanned, max_age=SCAN_GRACE)
        moment = signing.b62_decode(scanned.rsplit(":", 2)[1])
    except (signing.BadSignature, IndexError, ValueError):
        return render(request, "volunteering/scan.html",
                      {"refusal": _("This code has expired: scan the code on the organiser's screen again.")}, status=409)
    try:
        checkin, record = services.checkin_scan(token=token, volunteer=request.user, scanned_at=moment)
    except DomainError as exc:
        return render(request, "volunteering/scan.html", {"refusal": exc.detail}, status=exc.status)
    return render(request, "volunteering/scan.html", {"done": checkin, "record": record,
                                                      "activity": checkin.shift.activity, "shift": checkin.shift})


# --- members -------------------------------------------------------------------------------------

@login_required
def me(request):
    profile = selectors.profile_of(request.user)
    initial = {"pledge_hours": 3}
    if profile:
        initial = {"skills": ", ".join(profile.skills), "languages": ", ".join(profile.languages),
                   "region_code": profile.region_code, "availability": profile.availability,
                   "birth_year": profile.birth_year, "emergency_contact": profile.emergency_contact,
                   "pledge_hours": max(1, profile.pledge_minutes // 60)}
    form = forms.ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_save(
                    user=request.user, actor=request.user, skills=data["skills"], languages=data["languages"],
                    region_code=data["region_code"], availability=data["availability"], birth_year=data["birth_year"],
                    emergency_contact=data["emergency_contact"], pledge_minutes=data["pledge_hours"] * 60)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
            else:
                messages.success(request, _("Your volunteer profile is saved."))
                return redirect("volunteering:me")
        status = 422
    records = selectors.my_hours(request.user)
    years = sorted({r.served_on.year for r in records if r.status == "confirmed"}, reverse=True)
    return render(request, "volunteering/me.html", {
        "form": form, "pledge": selectors.pledge_of(request.user), "signups": selectors.my_signups(request.user)[:50],
        "records": records[:100], "years": years, "dispute_form": forms.DisputeForm(),
        "groups": selectors.groups_of(request.user),
    }, status=status)


@login_required
@require_POST
@domain_errors
def report(request, pk):
    activity = access_activity(user=request.user, pk=pk)
    form = forms.ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Give the minutes and the day, with a note or a photo."))
    else:
        data = form.cleaned_data
        _attempt(request, lambda: hours.hours_report(
            volunteer=request.user, activity=activity, minutes=data["minutes"], served_on=data["served_on"],
            note=data["note"], photo=data["photo"]), _("Reported: the organisation will confirm it."))
    return redirect("volunteering:me")


@login_required
@require_POST
@domain_errors
def dispute(request, pk):
    record = access_hours_record(user=request.user, pk=pk)
    form = forms.DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is wrong."))
    else:
        _attempt(request, lambda: hours.hours_dispute(record=record, actor=request.user,
                                                      reason=form.cleaned_data["reason"]),
                 _("Disputed: the organisation will look at it again."))
    return redirect("volunteering:me")


# --- certificates and their verification ---------------------------------------------------------

def _certificate(request, certificate, kind: str):
    url = request.build_absolute_uri(selectors.verify_link(certificate))
    return render(request, "volunteering/certificate.html", {
        "certificate": certificate, "kind": kind, "verify_url": url,
        "qr": qr_svg(url, label=_("Verify this certificate")) if certificate.provable else "",
        "today": timezone.localdate(),
    })


@login_required
@require_safe
@domain_errors
def certificate_activity(request, pk):
    activity = access_activity(user=request.user, pk=pk)
    certificate = selectors.certificate_of(request.user, title=activity.title,
                                           records=selectors.hours_for_records(request.user, activity=activity))
    return _certificate(request, certificate, "activity")


@login_required
@require_safe
def certificate_year(request, year):
    certificate = selectors.certificate_of(request.user, title=str(year),
                                           records=selectors.hours_for_records(request.user, year=year))
    return _certificate(request, certificate, "year")


@require_safe
def verify_page(request):
    """Public: anyone holding a certificate's link (or QR) checks each entry against the
    log's signed checkpoint and the name against each entry's commitment."""
    try:
        name = signing.b64_decode(request.GET.get("n", "").encode()).decode()[:60]
    except (ValueError, UnicodeDecodeError):
        name = ""
    result = verify.check_certificate(name=name, code=request.GET.get("c", "")[:4000])
    return render(request, "volunteering/verify.html", {"result": result, "name": name},
                  status=200 if result.entries or not result.error else 422)


# --- figures and groups ----------------------------------------------------------------------------

@require_safe
def figures_page(request):
    return render(request, "volunteering/figures.html", {"figures": selectors.figures()})


@require_safe
def group_list(request):
    return render(request, "volunteering/groups.html", {
        "groups": selectors.groups_all(), "form": forms.GroupForm()})


@login_required
@require_POST
def group_new(request):
    form = forms.GroupForm(request.POST)
    if form.is_valid():
        try:
            group = groups.group_create(name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                                        actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            return redirect("volunteering:group", group.slug)
    else:
        messages.error(request, _("Give the group a name."))
    return redirect("volunteering:groups")


@domain_errors
def group_detail(request, slug):
    group = access_group(slug=slug)
    membership = selectors.group_membership(group, request.user)
    form = forms.ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(reverse("accounts:login") + "?next=" + request.path)
        action = request.POST.get("action")
        if action == "join":
            _attempt(request, lambda: groups.group_join(group=group, actor=request.user), _("Welcome to the group."))
        elif action == "leave":
            _attempt(request, lambda: groups.group_leave(group=group, actor=request.user), _("You left the group."))
        elif action == "propose" and form.is_valid():
            organisation = selectors.verified_organisation(form.cleaned_data["organisation"])
            if organisation is None:
                messages.error(request, _("There is no verified organisation with that slug."))
            else:
                _attempt(request, lambda: groups.group_propose(
                    group=group, organisation=organisation, actor=request.user, title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"]), _("Proposed: the organisation decides."))
        return redirect("volunteering:group", group.slug)
    return render(request, "volunteering/group.html", {
        "group": group, "membership": membership, "members": selectors.group_members(group),
        "hours": selectors.group_hours(group), "activities": group.activities.order_by("-created_at")[:20],
        "form": form,
    })

