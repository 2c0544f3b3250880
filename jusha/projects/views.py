
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from jusha.core.errors import Conflict, Invalid, TooLarge, TransitionRefused
from jusha.core.pages import domain_errors
from jusha.core.sections import collect_sections
from jusha.projects import services, states
from jusha.projects.covers import cover_svg
from jusha.projects.models import Cause
from jusha.projects.contributions import detail_sections
from jusha.projects.forms import BudgetFormSet, FilterForm, ProjectForm, TransitionForm, UpdateForm
from jusha.projects.permissions import access_project
from jusha.projects.selectors import home_projects, is_public, project_alternatives, project_cards, project_search
from jusha.organisations.permissions import access_organisation
from jusha.organisations.selectors import memberships_of

PAGE_SIZE = 12

# What each button says, and what it asks for.
ACTIONS = {
    (states.DRAFT, states.IN_REVIEW): gettext_lazy("Submit for review"),
    (states.IN_REVIEW, states.DRAFT): gettext_lazy("Withdraw from review"),
    (states.IN_REVIEW, states.CHANGES_REQUESTED): gettext_lazy("Request changes"),
    (states.IN_REVIEW, states.FUNDRAISING): gettext_lazy("Approve and publish"),
    (states.CHANGES_REQUESTED, states.DRAFT): gettext_lazy("Back to draft"),
    (states.FUNDRAISING, states.EXECUTING): gettext_lazy("Close fundraising and start work"),
    (states.FUNDED, states.EXECUTING): gettext_lazy("Start work"),
    (states.EXECUTING, states.COMPLETED): gettext_lazy("Complete with final report"),
    (states.FUNDRAISING, states.SUSPENDED): gettext_lazy("Suspend fundraising"),
    (states.SUSPENDED, states.FUNDRAISING): gettext_lazy("Resume fundraising"),
}


def _form_error(form, exc) -> None:
    """A service's refusal, shown on the form (beside the file field if about a file)."""
    file_field = next((name for name in ("cover", "photos") if name in form.fields), None)
    form.add_error(file_field if exc.code.startswith("file_") else None, str(exc.detail))


@require_safe
def project_list(request):
    form = FilterForm(request.GET)
    page = Paginator(form.apply_options(project_search(**form.filters())), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "projects/list.html", {"form": form, "page_obj": page, "projects": project_cards(page.object_list)}
    )


def _actions(project) -> list[dict]:
    actions = []
    for target in states.allowed_targets(project.status, project.viewer_roles):
        pair, cancel = (project.status, target), target == states.CANCELLED
        actions.append({
            "target": target,
            "label": ACTIONS.get(pair, _("Cancel project") if cancel else target),
            "reason": "required" if pair in states.REASON_REQUIRED else ("optional" if cancel else ""),
            "final_report": target == states.COMPLETED,
            "danger": cancel or target == states.SUSPENDED,
        })
    return actions


def home(request):
    """The front page: featured projects and those that need help most."""
    return render(request, "core/home.html", home_projects())


@require_safe
def cover(request, cause):
    """The designed cover of a cause, for projects without a cover of their own."""
    if cause not in Cause.values:
        raise Http404
    response = HttpResponse(cover_svg(cause), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'none'; script-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
@domain_errors
def project_detail(request, slug):
    project = access_project(user=request.user, slug=slug)
    project_cards([project])
    members = bool(project.viewer_roles & states.MEMBERS)
    closed = is_public(project) and not project.accepting
    return render(request, "projects/detail.html", {
        "project": project,
        "sections": collect_sections(detail_sections, project),  # donors, ledger, matching, batches, sharing
        "updates": project.updates.prefetch_related("photos")[:20],
        "actions": _actions(project),
        "can_edit": members and project.status in states.EDITABLE,
        "can_post_update": members and project.status in states.UPDATABLE,
        "suggestions": project_alternatives(project, limit=3) if closed else [],
    })


@require_safe
@domain_errors
def project_progress(request, slug):
    """The live figures, as the fragment htmx swaps in every few seconds."""
    project = access_project(user=request.user, slug=slug)
    project_cards([project])
    response = render(request, "projects/_progress.html", {"project": project})
    response["Cache-Control"] = "no-cache"
    return response


def _organisation_for(request):
    """The organisation a new project is for: ?org=<slug>, or the user's only one."""
    if slug := request.GET.get("org", ""):
        return access_organisation(user=request.user, slug=slug, roles=states.MEMBERS)
    mine = [m.organisation for m in memberships_of(request.user) if m.role in states.MEMBERS]
    if len(mine) != 1:
        raise Http404(_("Choose the organisation the project is for."))
    return mine[0]


def _save_project(request, *, form, formset, project=None, organisation=None):
    if not (form.is_valid() and formset.is_valid()):
        return None
    kwargs = {**form.service_kwargs(), "budget_lines": formset.lines(), "actor": request.user}
    try:
        if project is None:
            return services.project_create(organisation=organisation, **kwargs)
        return services.project_edit(project=project, **kwargs)
    except (Invalid, TooLarge, Conflict) as exc:
        _form_error(form, exc)
        return None


@login_required
@domain_errors
def project_create(request):
    organisation = _organisation_for(request)
    form = ProjectForm(request.POST or None, request.FILES or None)
    formset = BudgetFormSet(request.POST or None, prefix="budget")
    project = request.method == "POST" and _save_project(request, form=form, formset=formset, organisation=organisation)
    if project:
        messages.success(request, _("The draft is saved. Submit it for review when it is ready."))
        return redirect("projects:detail", project.slug)
    return render(request, "projects/form.html", {"form": form, "formset": formset, "organisation": organisation})


@login_required
@domain_errors
def project_edit(request, slug):
    project = access_project(user=request.user, slug=slug, roles=states.MEMBERS)
    if project.status not in states.EDITABLE:
        messages.error(request, _("Only a draft, or a project sent back for changes, can be edited."))
        return redirect("projects:detail", project.slug)
    if request.method == "POST":
        form = ProjectForm(request.POST, request.FILES)
        formset = BudgetFormSet(request.POST, prefix="budget")
        if _save_project(request, form=form, formset=formset, project=project):
            messages.success(request, _("Your changes are saved."))
            return redirect("projects:detail", project.slug)
    else:
        form = ProjectForm(initial=ProjectForm.initial_for(project))
        lines = project.budget_lines.all()
        formset = BudgetFormSet(prefix="budget", initial=[{"title": b.title, "amount": b.amount} for b in lines])
    return render(
        request, "projects/form.html",
        {"form": form, "formset": formset, "organisation": project.organisation, "project": project},
    )


@login_required
@require_POST
@domain_errors
def project_transition(request, slug):
    project = access_project(user=request.user, slug=slug)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That change is not possible."))
        return redirect("projects:detail", project.slug)
    try:
        project = services.project_transition(
            project=project, target=form.cleaned_data["target"], actor=request.user,
            reason=form.cleaned_data["reason"], final_report=form.cleaned_data["final_report"] or None,
        )
    except TransitionRefused as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The project is now: %(status)s.") % {"status": project.get_status_display()})
    return redirect("projects:detail", project.slug)


@login_required
@domain_errors
def post_update(request, slug):
    project = access_project(user=request.user, slug=slug, roles=states.MEMBERS)
    form = UpdateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_post(
                project=project, actor=request.user, title=form.cleaned_data["title"],
                body=form.cleaned_data["body"], photos=form.cleaned_data["photos"],
            )
        except (Invalid, TooLarge, Conflict) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The update is posted."))
            return redirect("projects:detail", project.slug)
    return render(request, "projects/update_form.html", {"form": form, "project": project})
