import mimetypes

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jusha.core.audit import audit_record
from jusha.core.errors import DomainError, Forbidden
from jusha.core.pages import domain_errors
from jusha.fulfilment import services, states
from jusha.fulfilment.forms import ConfirmForm, DiscloseForm, PlanForm, ShipForm
from jusha.fulfilment.permissions import SIGNATURE_VIEWERS, access_batch, access_confirmation, batch_actions
from jusha.fulfilment.selectors import batch_confirmations, batch_size_of, project_batches, with_timeline
from jusha.ledger.forms import ExpenditureForm
from jusha.ledger.permissions import SPENDERS
from jusha.projects.permissions import access_project


def _attempt(form, call) -> int:
    """Run a service for a form: 0 when it went through, else the refusal's HTTP status,
    with its message on the form. A refusal for lack of a role stays a 403 page."""
    try:
        call()
    except Forbidden:
        raise
    except DomainError as exc:
        form.add_error(None, str(exc.detail))
        return exc.status
    return 0


@require_safe
@domain_errors
def batch_list(request, slug):
    project = access_project(user=request.user, slug=slug)
    page = Paginator(project_batches(project), 20).get_page(request.GET.get("page"))
    return render(request, "fulfilment/list.html", {
        "project": project, "page": page, "batches": with_timeline(page.object_list),
    })


def _detail(request, batch, *, status=200, refusal=None, **bound):
    project = batch.project
    confirmations = batch_confirmations(batch)
    batch.delivered = len(confirmations)
    with_timeline([batch])
    actions = batch_actions(batch, project.viewer_roles)
    for name, form_class, shown in (("ship_form", ShipForm, actions.can_ship),
                                    ("disclose_form", DiscloseForm, actions.can_disclose)):
        if shown and name not in bound:
            bound[name] = form_class()
    return render(request, "fulfilment/detail.html", {
        "project": project, "batch": batch, "confirmations": confirmations, "refusal": refusal, "actions": actions,
        **bound,
    }, status=status)


@require_safe
@domain_errors
def batch_detail(request, slug, number):
    return _detail(request, access_batch(user=request.user, slug=slug, number=number))


@login_required
@domain_errors
def plan(request, slug):
    project = access_project(user=request.user, slug=slug, roles=states.PLANNERS)
    form = PlanForm(request.POST or None, initial={"batch_size": batch_size_of(project)})
    status = 0
    if request.method == "POST" and form.is_valid():
        size = form.cleaned_data["batch_size"]
        status = _attempt(form, lambda: services.batch_plan_set(project=project, batch_size=size, actor=request.user))
        if not status:
            messages.success(request, _("The batch plan is saved."))
            return redirect("projects:detail", project.slug)
    return render(request, "fulfilment/plan.html", {"project": project, "form": form},
                  status=status or (422 if form.errors else 200))


@login_required
@domain_errors
def purchase(request, slug, number):
    batch = access_batch(user=request.user, slug=slug, number=number, roles=SPENDERS)
    project = batch.project
    description = _("Delivery batch %(number)d: %(units)d × %(unit)s") % {
        "number": batch.number, "units": batch.units, "unit": project.unit_name or _("unit")}
    initial = {"amount": batch.cost_money, "description": description}
    form = ExpenditureForm(request.POST or None, request.FILES or None, project=project, initial=initial)
    status = 0
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("budget_line", "amount", "description", "spent_on")}
        status = _attempt(form, lambda: services.batch_purchase(
            batch=batch, actor=request.user, invoice=form.cleaned_data["voucher"], **data))
        if not status:
            messages.success(request, _("The purchase is recorded, with its invoice on the public ledger."))
            return redirect("fulfilment:detail", slug, number)
    return render(request, "fulfilment/purchase.html", {"project": project, "batch": batch, "form": form},
                  status=status or (422 if form.errors else 200))


def _post_step(request, slug, number, form_name, form_class, service, done: str):
    """A step taken with a small form on the batch page; a refusal shows that page again,
    with the form, under the refusal's status."""
    batch = access_batch(user=request.user, slug=slug, number=number, roles=states.MEMBERS)
    form = form_class(request.POST)
    status = 422
    if form.is_valid():
        status = _attempt(form, lambda: service(batch=batch, actor=request.user, **form.cleaned_data))
        if not status:
            messages.success(request, done)
            return redirect("fulfilment:detail", slug, number)
    return _detail(request, batch, status=status, refusal=form.non_field_errors(), **{form_name: form})


@login_required
@require_POST
@domain_errors
def ship(request, slug, number):
    return _post_step(request, slug, number, "ship_form", ShipForm, services.batch_ship, _("The batch is shipped."))


@login_required
@require_POST
@domain_errors
def delivered(request, slug, number):
    return _post_step(
        request, slug, number, "delivered_form", forms.Form, services.batch_mark_delivered, _("The batch is delivered.")
    )


@login_required
@require_POST
@domain_errors
def disclose(request, slug, number):
    return _post_step(
        request, slug, number, "disclose_form", DiscloseForm, services.batch_disclose, _("The batch is disclosed.")
    )


@login_required
@domain_errors
def confirm(request, slug, number):
    batch = access_batch(user=request.user, slug=slug, number=number, roles=states.MEMBERS)
    project = batch.project
    form = ConfirmForm(request.POST or None, request.FILES or None, initial=ConfirmForm.initial_for(project))
    status = 0
    if request.method == "POST" and form.is_valid():
        status = _attempt(form, lambda: services.delivery_confirm(
            project=project, batch=batch, actor=request.user, **form.cleaned_data))
        if not status:
            messages.success(request, _("The delivery is confirmed."))
            return redirect("fulfilment:detail", slug, number)
    return render(request, "fulfilment/confirm.html", {"project": project, "batch": batch, "form": form},
                  status=status or (422 if form.errors else 200))


@login_required
@require_safe
@domain_errors
def signature(request, slug, number, pk):
    """A recipient's signature or thumbprint: to the organisation's members and platform
    staff only, each view in the audit log."""
    batch = access_batch(user=request.user, slug=slug, number=number, roles=SIGNATURE_VIEWERS)
    confirmation = access_confirmation(batch=batch, pk=pk)
    audit_record(actor=request.user, action="delivery.signature_view", target=confirmation,
                 data={"project": slug, "batch": number})
    try:
        handle = confirmation.signature.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(confirmation.signature.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
