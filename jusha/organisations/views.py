from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jusha.core.audit import audit_record
from jusha.core.errors import DomainError, Forbidden, NotFound
from jusha.core.sections import collect_sections, group_sections
from jusha.organisations import contributions, permissions, selectors, services
from jusha.organisations.forms import InvitationForm, OrganisationForm, RejectForm, RoleForm
from jusha.organisations.models import Membership

FIELD_FOR_CODE = {
    "uscc_invalid": "uscc", "uscc_taken": "uscc", "slug_taken": "slug", "slug_invalid": "slug",
    "region_invalid": "region_code", "email_invalid": "email", "already_member": "email", "role_invalid": "role",
    "reason_required": "reason",
}


def _refuse(exc: DomainError):
    """A refusal from the permissions or a service becomes a 404 or 403 page."""
    if isinstance(exc, NotFound):
        raise Http404(exc.detail) from exc
    raise PermissionDenied(exc.detail) from exc


def _access(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (NotFound, Forbidden) as exc:
        _refuse(exc)


def _attempt(request, service, **kwargs) -> bool:
    """Run a service for a page: a refusal is a 403/404 page, another error a message."""
    try:
        service(**kwargs)
    except (NotFound, Forbidden) as exc:
        _refuse(exc)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return False
    return True


def _form_error(form, exc: DomainError) -> None:
    if isinstance(exc, (NotFound, Forbidden)):
        _refuse(exc)
    errors = exc.extra.get("errors") or [{"loc": [FIELD_FOR_CODE.get(exc.code)], "msg": exc.detail}]
    for error in errors:
        field = error["loc"][-1]
        form.add_error(field if field in form.fields else None, error["msg"])


def detail(request, slug):
    organisation = _access(permissions.access_public_organisation, user=request.user, slug=slug)
    return render(
        request,
        "organisations/detail.html",
        {"organisation": organisation, "sections": collect_sections(contributions.detail_sections, organisation),
         "steps": services.verification_steps_of(organisation)},
    )


@login_required
def verification(request, slug):
    """The verification steps: owners send each one's details and proof; staff review them."""
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"owner", "staff"})
    return render(request, "organisations/verification.html", {
        "organisation": organisation, "steps": services.verification_steps_of(organisation),
        "is_owner": "owner" in organisation.viewer_roles,
        "is_staff": "staff" in organisation.viewer_roles and not organisation.viewer_roles & permissions.MEMBER_ROLES,
    })


@login_required
@require_POST
def verification_step(request, slug, step):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"owner"})
    if _attempt(request, services.verification_step_submit, organisation=organisation, step=step,
                details=request.POST.get("details", ""), proof=request.FILES.get("proof"), actor=request.user):
        messages.success(request, _("Sent: platform staff will review this step."))
    return redirect("organisations:verification", slug=slug)


@login_required
@require_POST
def verification_review(request, slug, step):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"staff"})
    if _attempt(request, services.verification_step_review, organisation=organisation, step=step,
                approve=request.POST.get("decision") == "approve", note=request.POST.get("note", ""),
                actor=request.user):
        messages.success(request, _("The step is reviewed."))
    return redirect("organisations:verification", slug=slug)


@login_required
def verification_proof(request, slug, step):
    """A step's proof: to the organisation's owners and staff only, each view audit-logged."""
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"owner", "staff"})
    found = _access(permissions.access_verification_step, organisation=organisation, step=step)
    if not found.proof:
        raise Http404
    audit_record(actor=request.user, action="organisation.step_proof_view", target=organisation, data={"step": step})
    try:
        handle = found.proof.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, content_type=found.proof_content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered and you are its owner. Submit it for verification when its details "
                  "are complete.") % {"name": organisation.name},
            )
            return redirect("organisations:manage", slug=organisation.slug)
    return render(request, "organisations/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"owner"})
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The organisation's details were saved."))
            return redirect("organisations:manage", slug=organisation.slug)
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})


def _manage_page(request, organisation, invite_form=None):
    is_owner = "owner" in organisation.viewer_roles
    return render(
        request,
        "organisations/manage.html",
        {
            "organisation": organisation,
            "is_owner": is_owner,
            "members": selectors.members_of(organisation),
            "invitations": selectors.invitations_pending(organisation) if is_owner else [],
            "invite_form": invite_form or InvitationForm(),
            "roles": Membership.Role.choices,
            "can_submit": is_owner and organisation.verification in ("unverified", "rejected"),
        },
    )


@login_required
def manage(request, slug):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug)
    return _manage_page(request, organisation)


@login_required
@require_POST
def submit(request, slug):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"owner"})
    if _attempt(request, services.organisation_submit, organisation=organisation, actor=request.user):
        messages.success(request, _("Submitted for verification. Platform staff will review it and email the owners."))
    return redirect("organisations:manage", slug=slug)


@login_required
@require_POST
def invite(request, slug):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"owner"})
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(organisation=organisation, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("An invitation was emailed to %(email)s.") % {"email": invitation.email})
            return redirect("organisations:manage", slug=slug)
    return _manage_page(request, organisation, invite_form=form)


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    invitation = _access(permissions.access_invitation, user=request.user, slug=slug, pk=pk)
    if _attempt(request, services.invitation_revoke, invitation=invitation, actor=request.user):
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("organisations:manage", slug=slug)


@login_required
@require_POST
def member_role(request, slug, pk):
    membership = _access(permissions.access_membership, user=request.user, slug=slug, pk=pk)
    form = RoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    if _attempt(request, services.membership_change_role, membership=membership, role=role, actor=request.user):
        messages.success(
            request,
            _("%(person)s is now %(role)s.") % {"person": membership.user, "role": membership.get_role_display()},
        )
    return redirect("organisations:manage", slug=slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    membership = _access(permissions.access_membership, user=request.user, slug=slug, pk=pk)
    leaving = membership.user_id == request.user.pk
    if not _attempt(request, services.membership_remove, membership=membership, actor=request.user):
        return redirect("organisations:manage", slug=slug)
    if leaving:
        messages.success(request, _("You left %(name)s.") % {"name": membership.organisation.name})
        return redirect("organisations:dashboard")
    messages.success(request, _("%(person)s was removed from the organisation.") % {"person": membership.user})
    return redirect("organisations:manage", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    found = selectors.invitation_by_token(token)
    if found is None:
        raise Http404(_("This invitation link is not valid. Check that you copied all of it."))
    if request.method == "POST" and _attempt(request, services.invitation_accept, token=token, actor=request.user):
        messages.success(request, _("Welcome to %(name)s.") % {"name": found.organisation.name})
        return redirect("organisations:manage", slug=found.organisation.slug)
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": found,
            "expired": selectors.invitation_expired(found),
            "email_matches": request.user.email.lower() == found.email.lower(),
        },
    )


@login_required
def dashboard(request):
    entries = selectors.dashboard_for(request.user)
    contributed = contributions.dashboard_sections.collect([entry["membership"] for entry in entries])
    for entry in entries:  # each organisation's projects, batches... waiting for the user
        entry["sections"] = group_sections(found.get(entry["organisation"].pk) for found in contributed)
    return render(request, "organisations/dashboard.html", {"entries": entries})


def _staff_only(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("This page is for platform staff."))


@login_required
def staff_dashboard(request):
    _staff_only(request)
    return render(request, "organisations/staff_dashboard.html", {
        "organisations": selectors.organisations_awaiting_verification(),
        "steps_waiting": selectors.organisations_with_steps_to_review(),
        "sections": collect_sections(contributions.staff_sections),  # projects in review
    })


@login_required
@require_POST
def staff_verify(request, slug):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"staff"})
    if _attempt(request, services.organisation_verify, organisation=organisation, actor=request.user):
        messages.success(
            request, _("%(name)s is verified. Its owners were told by email.") % {"name": organisation.name}
        )
    return redirect("organisations:staff_dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def staff_reject(request, slug):
    organisation = _access(permissions.access_organisation, user=request.user, slug=slug, roles={"staff"})
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason, actor = form.cleaned_data["reason"], request.user
        if _attempt(request, services.organisation_reject, organisation=organisation, reason=reason, actor=actor):
            messages.success(
                request, _("%(name)s was rejected. Its owners were told why by email.") % {"name": organisation.name}
            )
        return redirect("organisations:staff_dashboard")
    return render(request, "organisations/reject.html", {"organisation": organisation, "form": form})
