"""Sponsorship pages: students waiting (public profiles), sponsoring one, the sponsor's page
(the journey as a timeline, paid in / paid out / held, reports, letters, choices), and the
organisation's tools (its programme, private records, reports, moderation, pay-outs,
follow-up cases, the end of a term)."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.client import ClientContext
from jusha.core.errors import DomainError, Forbidden
from jusha.core.pages import domain_errors
from jusha.organisations.permissions import access_organisation
from jusha.projects.regions import province_choices
from jusha.pledges import services as pledge_services
from jusha.sponsorship import casework, forms, permissions, pledging, selectors, services, states
from jusha.sponsorship.models import Beneficiary, FollowUpCase
from jusha.sponsorship.words import BODIES


def _attempt(form, call):
    """Run a service for a form: (result, 0), or (None, the refusal's HTTP status) with its
    message on the form. A refusal for lack of a role stays a 403 page."""
    try:
        return call(), 0
    except Forbidden:
        raise
    except DomainError as exc:
        form.add_error(None, str(exc.detail))
        return None, exc.status


# --- public --------------------------------------------------------------------------------------

@require_safe
def student_list(request):
    region, stage = request.GET.get("region", "")[:6], request.GET.get("stage", "")[:12]
    items = selectors.beneficiaries_public(region=region, stage=stage)
    page = Paginator(items, 24).get_page(request.GET.get("page"))
    return render(request, "sponsorship/list.html", {
        "page": page, "profiles": [(b, selectors.public_profile(b)) for b in page.object_list],
        "suggested": [selectors.public_profile(b) for b in selectors.suggested(user=request.user, region=region)],
        "provinces": province_choices(), "stages": Beneficiary.Stage.choices, "region": region, "stage": stage,
    })


@domain_errors
def student(request, pk):
    beneficiary = permissions.access_public_beneficiary(pk=pk)
    currency = beneficiary.programme.project.currency
    form = forms.SponsorForm(request.POST or None, currency=currency)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            data = form.cleaned_data
            result, status = _attempt(form, lambda: services.sponsorship_create(
                beneficiary=beneficiary, donor=request.user, amount=data["amount"], months=data["months"],
                purpose=data["purpose"], client=ClientContext.of(request)))
            if not status:
                _sponsorship, donation, _token = result
                return redirect(donation.payment_url)
        else:
            status = 422
    return render(request, "sponsorship/student.html", {
        "beneficiary": beneficiary, "profile": selectors.public_profile(beneficiary), "form": form,
        "places_left": selectors.places_left(beneficiary),
    }, status=status)


# --- the sponsor's (and the organisation's) page of one sponsorship -----------------------------

@login_required
@require_safe
def my_list(request):
    sponsorships = list(selectors.my_sponsorships(request.user))
    return render(request, "sponsorship/my_list.html", {
        "rows": [(s, selectors.sponsorship_figures(s)) for s in sponsorships],
    })


def _pledge(sponsorship):
    """The monthly pledge paying the later months; back from the provider's page, the
    sponsor's authorisation is confirmed here (as the pledge's own page does)."""
    pledge = pledging.pledge_of(sponsorship)
    if pledge is not None and sponsorship.viewer_is_sponsor and pledge.agreement_status == "pending":
        try:
            pledge = pledge_services.pledge_agreement_confirm(pledge=pledge)
        except DomainError:  # the provider could not be asked now: shown as waiting, asked again next time
            pass
    return pledge


def _page(request, sponsorship, *, status=200, **bound):
    org = bool(sponsorship.viewer_roles & permissions.MEMBER_ROLES)
    carer = bool(sponsorship.viewer_roles & states.CARERS)
    payer = bool(sponsorship.viewer_roles & states.PAYERS)
    case = selectors.latest_case(sponsorship)
    currency = sponsorship.currency
    figures = selectors.sponsorship_figures(sponsorship)
    context = {
        "s": sponsorship, "beneficiary": sponsorship.beneficiary, "profile": selectors.public_profile(sponsorship.beneficiary),
        "figures": figures, "flag": selectors.report_flag(sponsorship),
        "timeline": selectors.timeline(sponsorship, for_sponsor=sponsorship.viewer_is_sponsor and not org),
        "case": case, "case_words": BODIES["case_opened"], "withdrawn_words": BODIES["withdrawn"],
        "pending": selectors.pending_month(sponsorship) if sponsorship.viewer_is_sponsor else None,
        "failed_in_a_row": selectors.failed_months_in_a_row(sponsorship),
        "pledge": _pledge(sponsorship), "payments_words": BODIES["payments_failed"],
        "is_sponsor": sponsorship.viewer_is_sponsor, "is_org": org, "is_carer": carer, "is_payer": payer,
        "can_choose": sponsorship.viewer_is_sponsor and (
            sponsorship.status == "paused" or (sponsorship.status == "ended" and figures.held > 0)),
        "refunds_owed": selectors.refunds_owed(sponsorship),
        "message_form": bound.pop("message_form", None) or forms.MessageForm(),
        "renew_form": bound.pop("renew_form", None) or forms.RenewForm(),
        "can_renew": sponsorship.viewer_is_sponsor and sponsorship.status == "completed"
        and sponsorship.outcome != "graduated" and sponsorship.beneficiary.status in ("waiting", "sponsored"),
    }
    if carer:
        context.update({
            "report_form": bound.pop("report_form", None) or forms.ReportForm(),
            "reply_form": bound.pop("reply_form", None) or forms.ReplyForm(),
            "note_form": bound.pop("note_form", None) or forms.NoteForm(),
            "complete_form": bound.pop("complete_form", None) or forms.CompleteForm(),
            "to_moderate": [m for m in sponsorship.messages.filter(status="pending")],
        })
    if payer:
        context["disburse_form"] = bound.pop("disburse_form", None) or forms.DisburseForm(currency=currency)
    context.update(bound)
    return render(request, "sponsorship/sponsorship.html", context, status=status)


@login_required
@require_safe
@domain_errors
def sponsorship_page(request, pk):
    return _page(request, permissions.access_sponsorship(user=request.user, pk=pk))


def _post(request, pk, form_name, form, call, done_message, *, org_roles=None):
    sponsorship = (permissions.access_organisation_sponsorship(user=request.user, pk=pk, roles=org_roles) if org_roles
                   else permissions.access_sponsorship(user=request.user, pk=pk))
    status = 422
    if form.is_valid():
        _result, status = _attempt(form, lambda: call(sponsorship, form.cleaned_data))
        if not status:
            messages.success(request, done_message)
            return redirect("sponsorship:mine", sponsorship.pk)
    return _page(request, sponsorship, status=status, **{form_name: form})


@login_required
@require_POST
@domain_errors
def message(request, pk):
    return _post(request, pk, "message_form", forms.MessageForm(request.POST),
                 lambda s, d: casework.message_send(sponsorship=s, actor=request.user, body=d["body"]),
                 _("Your message is with the organisation, which will pass it on."))


@login_required
@require_POST
@domain_errors
def reply(request, pk):
    return _post(request, pk, "reply_form", forms.ReplyForm(request.POST),
                 lambda s, d: casework.message_send(sponsorship=s, actor=request.user, body=d["body"], from_beneficiary=True),
                 _("The student's letter is passed on to the sponsor."), org_roles=states.CARERS)


@login_required
@require_POST
@domain_errors
def report(request, pk):
    return _post(request, pk, "report_form", forms.ReportForm(request.POST, request.FILES),
                 lambda s, d: casework.report_post(sponsorship=s, actor=request.user, kind=d["kind"], grades=d["grades"],
                                                   letter=d["letter"], photo=d["photo"]),
                 _("The report is posted and the sponsor told."), org_roles=states.CARERS)


@login_required
@require_POST
@domain_errors
def disburse(request, pk):
    sponsorship = permissions.access_organisation_sponsorship(user=request.user, pk=pk, roles=states.PAYERS)
    return _post(request, pk, "disburse_form", forms.DisburseForm(request.POST, request.FILES, currency=sponsorship.currency),
                 lambda s, d: services.disbursement_record(sponsorship=s, actor=request.user, payee=d["payee"], amount=d["amount"],
                                                           description=d["description"], spent_on=d["spent_on"], voucher=d["voucher"]),
                 _("The payment is recorded with its voucher."), org_roles=states.PAYERS)


@login_required
@require_POST
@domain_errors
def unreachable(request, pk):
    return _post(request, pk, "note_form", forms.NoteForm(request.POST),
                 lambda s, d: casework.beneficiary_mark_unreachable(sponsorship=s, actor=request.user, note=d["note"]),
                 _("A follow-up case is open and payments are paused."), org_roles=states.CARERS)


@login_required
@require_POST
@domain_errors
def complete(request, pk):
    return _post(request, pk, "complete_form", forms.CompleteForm(request.POST),
                 lambda s, d: casework.term_complete(sponsorship=s, actor=request.user, outcome=d["outcome"], note=d["note"]),
                 _("The term is closed with its outcome."), org_roles=states.CARERS)


@login_required
@require_POST
@domain_errors
def choose(request, pk):
    return _post(request, pk, "choice_form", forms.ChoiceForm(request.POST),
                 lambda s, d: casework.sponsorship_choose(sponsorship=s, actor=request.user, choice=d["choice"]),
                 _("Thank you. Your choice is recorded."))


@login_required
@require_POST
@domain_errors
def renew(request, pk):
    """The donor renews a completed term for the same student: a new sponsorship (linked to
    the last), its first month paid at once."""
    sponsorship = permissions.access_sponsorship(user=request.user, pk=pk)
    if not sponsorship.viewer_is_sponsor:
        raise Forbidden(_("Only the sponsor renews a sponsorship."), code="not_sponsor")
    form = forms.RenewForm(request.POST)
    status = 422
    if form.is_valid():
        result, status = _attempt(form, lambda: services.sponsorship_renew(
            sponsorship=sponsorship, actor=request.user, months=form.cleaned_data["months"], client=ClientContext.of(request)))
        if not status:
            _new, donation, _token = result
            return redirect(donation.payment_url)
    return _page(request, sponsorship, status=status, renew_form=form)


@login_required
@require_POST
@domain_errors
def moderate(request, pk, message_pk):
    sponsorship = permissions.access_organisation_sponsorship(user=request.user, pk=pk, roles=states.CARERS)
    message = permissions.access_message(sponsorship=sponsorship, pk=message_pk)
    form = forms.ModerateForm(request.POST)
    return _post(request, pk, "moderate_form", form,
                 lambda s, d: casework.message_moderate(message=message, actor=request.user, relay=d["relay"], note=d["note"]),
                 _("Done."), org_roles=states.CARERS)


@login_required
@require_safe
@domain_errors
def report_photo(request, pk):
    report = permissions.access_report_photo(user=request.user, pk=pk)
    try:
        handle = report.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(report.photo.name)[0] or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- follow-up cases -----------------------------------------------------------------------------

@login_required
@domain_errors
def case(request, pk):
    case = permissions.access_case(user=request.user, pk=pk)
    step_form, close_form, share_form = forms.StepForm(), forms.CloseForm(), forms.ShareForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "step":
            step_form = forms.StepForm(request.POST)
            call, form = (lambda d: casework.case_step_add(case=case, actor=request.user, note=d["note"], kind=d["kind"])), step_form
        elif action == "close":
            close_form = forms.CloseForm(request.POST)
            call, form = (lambda d: casework.case_close(case=case, actor=request.user, outcome=d["outcome"], note=d["note"])), close_form
        else:
            share_form = forms.ShareForm(request.POST)
            call, form = (lambda d: casework.case_share(case=case, actor=request.user,
                                                        partner=permissions.access_partner(slug=d["partner"]))), share_form
        status = 422
        if form.is_valid():
            _result, status = _attempt(form, lambda: call(form.cleaned_data))
            if not status:
                messages.success(request, _("Saved."))
                return redirect("sponsorship:case", case.pk)
    return render(request, "sponsorship/case.html", {
        "case": case, "s": case.sponsorship, "steps": list(case.steps.select_related("actor")),
        "step_form": step_form, "close_form": close_form, "share_form": share_form,
        "is_org": bool(case.viewer_roles & states.CARERS), "is_open": case.status == FollowUpCase.Status.OPEN,
    }, status=status)


# --- the organisation's programme ----------------------------------------------------------------

@login_required
@require_safe
@domain_errors
def programme(request, slug):
    try:
        programme = permissions.access_programme(user=request.user, slug=slug)
    except DomainError as exc:
        if getattr(exc, "code", "") != "programme_unknown":
            raise
        return redirect("sponsorship:programme_setup", slug)
    return render(request, "sponsorship/programme.html", {
        "programme": programme, **selectors.programme_overview(programme),
        "can_add": bool(programme.viewer_roles & states.CARERS),
    })


@login_required
@domain_errors
def programme_setup(request, slug):
    organisation = access_organisation(user=request.user, slug=slug, roles={states.OWNER, states.STAFF})
    existing = getattr(organisation, "sponsorship_programme", None)
    initial = {"project": existing.project, "sponsors_per_beneficiary": existing.sponsors_per_beneficiary,
               "report_every_days": existing.report_every_days,
               "lost_contact_after_days": existing.lost_contact_after_days} if existing else None
    form = forms.ProgrammeForm(request.POST or None, organisation=organisation, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            _result, status = _attempt(form, lambda: services.programme_set(organisation=organisation, actor=request.user,
                                                                            **form.cleaned_data))
            if not status:
                messages.success(request, _("The sponsorship programme is saved."))
                return redirect("sponsorship:programme", slug)
    return render(request, "sponsorship/programme_setup.html", {"organisation": organisation, "form": form}, status=status)


@login_required
@domain_errors
def student_new(request, slug):
    programme = permissions.access_programme(user=request.user, slug=slug, roles=states.CARERS)
    form = forms.BeneficiaryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            _result, status = _attempt(form, lambda: services.beneficiary_create(programme=programme, actor=request.user,
                                                                                 **form.cleaned_data))
            if not status:
                messages.success(request, _("The student is recorded and waits for a sponsor."))
                return redirect("sponsorship:programme", slug)
    return render(request, "sponsorship/student_new.html", {"programme": programme, "form": form}, status=status)


@login_required
@require_safe
@domain_errors
def student_private(request, pk):
    beneficiary = permissions.access_private_beneficiary(user=request.user, pk=pk, where="page")
    return render(request, "sponsorship/student_private.html", {
        "beneficiary": beneficiary, "profile": selectors.public_profile(beneficiary),
        "county": selectors.region_name(beneficiary.region_code),
        "sponsorships": list(beneficiary.sponsorships.exclude(status="cancelled").select_related("donor")),
        "note_form": forms.NoteForm(), "can_withdraw": bool(beneficiary.viewer_roles & states.CARERS),
    })


@login_required
@require_POST
@domain_errors
def student_withdraw(request, pk):
    beneficiary = permissions.access_private_beneficiary(user=request.user, pk=pk, where="withdraw")
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        _result, status = _attempt(form, lambda: casework.beneficiary_withdraw(beneficiary=beneficiary, actor=request.user,
                                                                              note=form.cleaned_data["note"]))
        if not status:
            messages.success(request, _("The student is withdrawn; each sponsor is asked what to do with what is held."))
            return redirect("sponsorship:programme", beneficiary.programme.organisation.slug)
    messages.error(request, _("Say why the student left."))
    return redirect("sponsorship:student_private", beneficiary.pk)
