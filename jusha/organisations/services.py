"""Every write of the organisations app. Each is atomic, checks who may do it, writes its
audit row in the same transaction and sends its emails only after the commit."""

import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.richtext import plain_text
from jusha.core.uploads import clean_voucher
from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound
from jusha.organisations import uscc as uscc_rules
from jusha.organisations.models import Invitation, Membership, Organisation, VerificationChange, VerificationStep
from jusha.organisations.permissions import MEMBER_ROLES, roles_for
from jusha.organisations.selectors import INVITATION_TTL, invitation_expired, token_digest
from jusha.organisations.states import STEP, VERIFICATION

logger = logging.getLogger(__name__)

V = Organisation.Verification
OWNER = Membership.Role.OWNER
RESERVED_SLUGS = {"new", "dashboard", "staff", "invitations"}
# What cannot change once staff are looking at it or have verified it.
LEGAL_FIELDS = ("legal_name", "uscc", "public_fundraising_qualified")
EDITABLE_FIELDS = ("name", "description", "contact_email", "contact_phone", "website", "region_code", *LEGAL_FIELDS)


def _mail_after_commit(*, template: str, context: dict, to: list[str]) -> None:
    """Render now (in the request's language), send once the transaction has committed."""
    subject, _sep, body = render_to_string(template, context).strip().partition("\n")
    subject = " ".join(subject.split())
    to = [address for address in to if address]

    def send():
        try:
            send_mail(subject.strip(), body.strip() + "\n", None, to)
        except Exception:  # noqa: BLE001 - the change is committed; a lost email is logged, not a 500
            logger.exception("could not send %s to %d recipient(s)", template, len(to))

    if to:
        transaction.on_commit(send)


def _owner_emails(organisation) -> list[str]:
    return list(organisation.memberships.filter(role=OWNER).values_list("user__email", flat=True))


def _require_owner(actor, organisation) -> None:
    if OWNER not in roles_for(actor, organisation):
        raise Forbidden(_("Only an owner of this organisation can do this."), code="not_owner")


def _validation_error(exc: ValidationError) -> Invalid:
    errors = [{"loc": [field], "msg": msg} for field, msgs in exc.message_dict.items() for msg in msgs]
    return Invalid(_("Some fields are not valid."), code="invalid", extra={"errors": errors})


def _check_details(organisation: Organisation, exclude=()) -> None:
    """Field rules shared by the page forms and the API (which has no form)."""
    organisation.uscc = uscc_rules.normalise(organisation.uscc)
    if not uscc_rules.is_valid(organisation.uscc):
        raise Invalid(
            _("This is not a valid unified social credit code: check the 18 characters."), code="uscc_invalid"
        )
    if organisation.region_code and not re.fullmatch(r"\d{6}", organisation.region_code):
        raise Invalid(_("The region must be a 6-digit administrative division code."), code="region_invalid")
    if Organisation.objects.filter(uscc=organisation.uscc).exclude(pk=organisation.pk).exists():
        raise Conflict(
            _("An organisation with this unified social credit code is already registered."), code="uscc_taken"
        )
    try:
        organisation.full_clean(exclude=[*exclude, "uscc"], validate_unique=False)
    except ValidationError as exc:
        raise _validation_error(exc) from exc


def _free_slug(wanted: str, fallback: str) -> str:
    base = slugify(wanted)[:50].strip("-") or fallback
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organisation_create(*, actor, slug: str = "", **details) -> Organisation:
    """A member registers an organisation and becomes its first owner."""
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(**{k: v.strip() if isinstance(v, str) else v for k, v in details.items()})
    if slug:
        slug = slug.strip().lower()
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 60:
            raise Invalid(_("The web address may use only letters, digits and hyphens."), code="slug_invalid")
        if slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
            raise Conflict(_("This web address is already taken: choose another."), code="slug_taken")
    fallback = "org-" + uscc_rules.normalise(organisation.uscc)[-6:].lower()  # for names with no ASCII letters
    organisation.slug = slug or _free_slug(organisation.name, fallback)
    _check_details(organisation)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:  # the same code or address registered a moment ago
        raise Conflict(_("This organisation was just registered by someone else."), code="uscc_taken") from exc
    Membership.objects.create(organisation=organisation, user=actor, role=OWNER)
    audit_record(actor=actor, action="organisation.create", target=organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor, **details) -> Organisation:
    """Owners correct the details. The legal ones are fixed while submitted or once verified."""
    _require_owner(actor, organisation)
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = {}
    for field, value in details.items():
        if field not in EDITABLE_FIELDS:
            raise TypeError(f"not an editable organisation field: {field}")
        value = value.strip() if isinstance(value, str) else value
        if field == "uscc":
            value = uscc_rules.normalise(value)
        if getattr(current, field) != value:
            changed[field] = value
    if current.verification in (V.SUBMITTED, V.VERIFIED) and set(changed) & set(LEGAL_FIELDS):
        raise Conflict(
            _("The legal name, credit code and fundraising qualification cannot change once the organisation "
              "is submitted for verification or verified. Contact the platform if they have changed."),
            code="legal_details_locked",
        )
    for field, value in changed.items():
        setattr(current, field, value)
    _check_details(current, exclude=["slug"])
    if changed:
        current.save(update_fields=list(changed))
        audit_record(actor=actor, action="organisation.update", target=current, data={"fields": sorted(changed)})
    return current


def _move(*, organisation: Organisation, target: str, actor, reason: str = "") -> Organisation:
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    roles = roles_for(actor, current)
    transition = VERIFICATION.check(current.verification, target, roles)
    if "staff" in transition.roles and roles & MEMBER_ROLES:
        raise Forbidden(_("Staff cannot decide on the verification of an organisation they belong to."),
                        code="conflict_of_interest")
    source = current.verification
    current.verification = target
    current.rejection_reason = reason if target == V.REJECTED else current.rejection_reason
    if target == V.VERIFIED:
        current.verified_at = timezone.now()
        current.rejection_reason = ""
    current.save(update_fields=["verification", "rejection_reason", "verified_at"])
    VerificationChange.objects.create(organisation=current, source=source, target=target, reason=reason, actor=actor)
    audit_record(
        actor=actor, action=f"organisation.{target}", target=current,
        data={"from": source, "to": target, "reason": reason},
    )
    for field in ("verification", "rejection_reason", "verified_at"):
        setattr(organisation, field, getattr(current, field))
    return current


@transaction.atomic
def organisation_submit(*, organisation: Organisation, actor) -> Organisation:
    """An owner asks platform staff to verify the organisation (again, after a rejection)."""
    return _move(organisation=organisation, target=V.SUBMITTED, actor=actor)


@transaction.atomic
def organisation_verify(*, organisation: Organisation, actor) -> Organisation:
    current = _move(organisation=organisation, target=V.VERIFIED, actor=actor)
    _mail_after_commit(
        template="organisations/email/verified.txt", context={"organisation": current}, to=_owner_emails(current)
    )
    return current


@transaction.atomic
def organisation_reject(*, organisation: Organisation, reason: str, actor) -> Organisation:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Please give the reason for the rejection: the organisation will see it."),
                      code="reason_required")
    current = _move(organisation=organisation, target=V.REJECTED, actor=actor, reason=reason)
    _mail_after_commit(
        template="organisations/email/rejected.txt", context={"organisation": current}, to=_owner_emails(current)
    )
    return current


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, actor) -> Invitation:
    """An owner invites someone by email. A new invitation to the same address replaces the
    one still pending."""
    _require_owner(actor, organisation)
    email = (email or "").strip().lower()
    if role not in Membership.Role.values:
        raise Invalid(_("Choose a role: owner, finance or editor."), code="role_invalid")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(_("Enter a valid email address."), code="email_invalid") from exc
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(_("This person is already a member of the organisation."), code="already_member")
    organisation.invitations.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, token_digest=token_digest(secret), invited_by=actor
    )
    audit_record(actor=actor, action="invitation.create", target=organisation, data={"email": email, "role": role})
    _mail_after_commit(
        template="organisations/email/invitation.txt",
        context={
            "organisation": organisation,
            "invitation": invitation,
            "inviter": actor,
            "role": Membership.Role(role).label,
            "link": settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse("organisations:invitation", args=[secret]),
            "days": INVITATION_TTL.days,
        },
        to=[email],
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    _require_owner(actor, invitation.organisation)
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.accepted_at:
        raise Conflict(_("This invitation was already accepted: remove the member instead."), code="invitation_used")
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="invitation.revoke", target=invitation.organisation,
                     data={"email": current.email})
    return current


@transaction.atomic
def invitation_accept(*, token: str, actor) -> Membership:
    """The invited person, logged in with the invited email address, joins the organisation."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("organisation")
        .filter(token_digest=token_digest(token)).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Check that you copied all of it."),
                       code="invitation_unknown")
    if invitation.revoked_at:
        raise Conflict(_("This invitation was withdrawn. Ask the organisation for a new one."),
                       code="invitation_revoked")
    if invitation.accepted_at:
        raise Conflict(_("This invitation was already used."), code="invitation_used")
    if invitation_expired(invitation):
        raise Conflict(_("This invitation has expired. Ask the organisation for a new one."),
                       code="invitation_expired")
    if actor.email.lower() != invitation.email.lower():
        raise Forbidden(
            _("This invitation was sent to %(email)s. Log in with that email address to accept it.")
            % {"email": invitation.email},
            code="invitation_wrong_email",
        )
    if invitation.organisation.memberships.filter(user=actor).exists():
        raise Conflict(_("You are already a member of this organisation."), code="already_member")
    membership = Membership.objects.create(organisation=invitation.organisation, user=actor, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=actor, action="invitation.accept", target=invitation.organisation,
                 data={"role": invitation.role})
    return membership


def _check_owner_remains(membership: Membership) -> None:
    owners = list(
        Membership.objects.select_for_update().filter(organisation_id=membership.organisation_id, role=OWNER)
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise Conflict(
            _("An organisation needs at least one owner: make someone else an owner first."), code="last_owner"
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor) -> Membership:
    _require_owner(actor, membership.organisation)
    if role not in Membership.Role.values:
        raise Invalid(_("Choose a role: owner, finance or editor."), code="role_invalid")
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    if current.role == role:
        return current
    if current.role == OWNER:
        _check_owner_remains(current)
    audit_record(actor=actor, action="membership.role", target=membership.organisation,
                 data={"user": current.user_id, "from": current.role, "to": role})
    current.role = role
    current.save(update_fields=["role"])
    membership.role = role
    return current


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    """Owners remove members; any member may leave. The last owner stays."""
    if membership.user_id != actor.pk:
        _require_owner(actor, membership.organisation)
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None:
        return
    if current.role == OWNER:
        _check_owner_remains(current)
    audit_record(actor=actor, action="membership.remove", target=membership.organisation,
                 data={"user": current.user_id, "role": current.role})
    current.delete()


# --- verification steps: owners send each step's details and proof, staff review each -----

STEP_DETAILS_MAX = 4000


def verification_steps_of(organisation: Organisation) -> list[VerificationStep]:
    """All five steps, in order, the ones never sent as unsaved MISSING rows."""
    saved = {s.step: s for s in VerificationStep.objects.filter(organisation=organisation)}
    return [saved.get(step) or VerificationStep(organisation=organisation, step=step) for step in VerificationStep.Step.values]


@transaction.atomic
def verification_step_submit(*, organisation: Organisation, step: str, details: str, proof=None, actor) -> VerificationStep:
    """An owner sends (or sends again) one step with its details and a proof file (image or
    PDF, checked by core.uploads). A step waiting for review may be corrected in place."""
    if step not in VerificationStep.Step.values:
        raise Invalid(_("There is no such verification step."), code="step_unknown")
    _require_owner(actor, organisation)
    details = plain_text(details or "").strip()
    if not details:
        raise Invalid(_("Describe this step: what the proof shows."), code="details_required")
    if len(details) > STEP_DETAILS_MAX:
        raise Invalid(_("Keep the details under %(n)d characters.") % {"n": STEP_DETAILS_MAX}, code="details_too_long")
    clean = clean_voucher(proof) if proof else None
    current, _created = VerificationStep.objects.select_for_update().get_or_create(organisation=organisation, step=step)
    if clean is None and not current.proof:
        raise Invalid(_("Attach the proof for this step (an image or a PDF)."), code="proof_required")
    if current.status != VerificationStep.Status.SUBMITTED:
        STEP.check(current.status, VerificationStep.Status.SUBMITTED, roles_for(actor, organisation))
    current.status = VerificationStep.Status.SUBMITTED
    current.details = details
    current.submitted_at = timezone.now()
    current.review_note = ""
    if clean is not None:
        current.proof.save(clean.content.name, clean.content, save=False)
        current.proof_sha256, current.proof_content_type = clean.sha256, clean.content_type
    current.save()
    audit_record(actor=actor, action="organisation.step_submit", target=organisation, data={"step": step})
    return current


@transaction.atomic
def verification_step_review(*, organisation: Organisation, step: str, approve: bool, note: str = "", actor) -> VerificationStep:
    """Staff approve a step, or send it back with a note the owners read."""
    current = VerificationStep.objects.select_for_update().filter(organisation=organisation, step=step).first()
    if current is None:
        raise NotFound(_("This step has not been sent."), code="step_unknown")
    roles = roles_for(actor, organisation)
    target = VerificationStep.Status.APPROVED if approve else VerificationStep.Status.REJECTED
    STEP.check(current.status, target, roles)
    if roles & MEMBER_ROLES:
        raise Forbidden(_("Staff cannot decide on the verification of an organisation they belong to."),
                        code="conflict_of_interest")
    note = plain_text(note or "").strip()
    if not approve and not note:
        raise Invalid(_("Say what is missing: the organisation will read it."), code="reason_required")
    current.status, current.review_note = target, note
    current.reviewed_at, current.reviewed_by = timezone.now(), actor
    current.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
    audit_record(actor=actor, action=f"organisation.step_{target}", target=organisation,
                 data={"step": step, "note": note})
    return current
