"""The responder queue and case pages: responders and crisis supervisors only, every view
of a case audit-logged, the hotlines on every page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jusha.core.errors import DomainError, Forbidden, NotFound
from jusha.core.pages import domain_errors
from jusha.crisis import selectors, services
from jusha.crisis.forms import CloseForm, ContactForm, RoleForm, SourceForm
from jusha.crisis.permissions import access_case, access_queue, access_sources, access_team


def _context(**extra):
    return {"hotlines": settings.JUSHA_CRISIS_HOTLINES, **extra}


@never_cache
@login_required
@domain_errors
def queue(request):
    role = access_queue(user=request.user)
    responder = selectors.responder_of(request.user)
    cases = selectors.queue()[:200]
    return render(request, "crisis/queue.html", _context(cases=cases, role=role, responder=responder))


@require_POST
@login_required
@domain_errors
def duty(request):
    access_queue(user=request.user)
    services.duty_set(user=request.user, on_duty=request.POST.get("on_duty") == "1", actor=request.user)
    return redirect("crisis:queue")


@never_cache
@login_required
@domain_errors
def case(request, case_id: int):
    case = access_case(user=request.user, case_id=case_id)
    return render(request, "crisis/case.html", _context(
        case=case,
        posts=selectors.case_posts(case, with_author=case.may_see_author),
        author=selectors.case_author(case) if case.may_see_author else "",
        contacts=case.contacts.order_by("at"),
        contact_form=ContactForm(), close_form=CloseForm(),
    ))


def _act(request, case_id, purpose, call):
    case = access_case(user=request.user, case_id=case_id, purpose=purpose)
    try:
        call(case)
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("crisis:case", case_id=case.pk)


@require_POST
@login_required
@domain_errors
def claim(request, case_id: int):
    return _act(request, case_id, "claim", lambda case: services.case_claim(case=case, actor=request.user))


@require_POST
@login_required
@domain_errors
def release(request, case_id: int):
    def call(case):
        services.case_release(case=case, actor=request.user)
        messages.success(request, _("The case is back in the queue for another responder."))

    return _act(request, case_id, "release", call)


@require_POST
@login_required
@domain_errors
def contact(request, case_id: int):
    form = ContactForm(request.POST)

    def call(case):
        if not form.is_valid():
            raise services.Invalid(_("Choose a channel; a note has at most 500 characters."), code="crisis_contact_form")
        services.contact_log(case=case, channel=form.cleaned_data["channel"], note=form.cleaned_data["note"], actor=request.user)
        messages.success(request, _("Contact attempt logged."))

    return _act(request, case_id, "contact", call)


@require_POST
@login_required
@domain_errors
def close(request, case_id: int):
    form = CloseForm(request.POST)

    def call(case):
        if not form.is_valid():
            raise services.Invalid(_("Choose an outcome; a level is between 0 and 10."), code="crisis_close_form")
        services.case_close(case=case, outcome=form.cleaned_data["outcome"], corrected_level=form.cleaned_data["corrected_level"], actor=request.user)
        messages.success(request, _("Case closed."))

    return _act(request, case_id, "close", call)


@never_cache
@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def sources(request):
    access_sources(user=request.user)
    form = SourceForm(request.POST or None)
    new_key = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _source, new_key = services.source_create(name=form.cleaned_data["name"], keep_for_research=form.cleaned_data["keep_for_research"], actor=request.user)
                form = SourceForm()
            except DomainError as error:
                form.add_error(None, error.detail)
                status = error.status
        else:
            status = 422
    return render(request, "crisis/sources.html", _context(form=form, sources=selectors.sources(), new_key=new_key), status=status)


@never_cache
@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def team(request):
    """Who is on the crisis team: staff appoint supervisors, supervisors grant the responder role."""
    role = access_team(user=request.user)
    form = RoleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            member = selectors.member_by_email(form.cleaned_data["email"])
            try:
                if member is None:
                    raise services.Invalid(_("No active member has this e-mail address; they sign up first."), code="crisis_member_unknown")
                services.role_grant(user=member, role=form.cleaned_data["role"], actor=request.user)
                messages.success(request, _("Role granted."))
                return redirect("crisis:team")
            except DomainError as error:
                form.add_error(None, error.detail)
                status = error.status
        else:
            status = 422
    return render(request, "crisis/team.html", _context(form=form, team=selectors.team(), role=role), status=status)


@require_POST
@login_required
@domain_errors
def revoke(request, user_id: int):
    access_team(user=request.user)
    member = selectors.team_member(user_id)
    try:
        services.role_revoke(user=member, actor=request.user)
        messages.success(request, _("Role removed; any case they held is back in the queue."))
    except DomainError as error:
        if isinstance(error, (Forbidden, NotFound)):
            raise
        messages.error(request, error.detail)
    return redirect("crisis:team")
