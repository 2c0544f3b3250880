"""Loading an organisation (or something inside it) on a user's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.organisations.models import Invitation, Membership, Organisation, VerificationStep

MEMBER_ROLES = frozenset(Membership.Role.values)


def roles_for(user, organisation) -> set[str]:
    """{"staff"} for platform staff, plus the user's membership role in the organisation."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = {"staff"} if user.is_staff else set()
    role = Membership.objects.filter(organisation=organisation, user=user).values_list("role", flat=True).first()
    if role:
        roles.add(role)
    return roles


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise NotFound(_("There is no organisation at this address."), code="organisation_unknown")
    return organisation


def access_organisation(*, user, slug: str, roles=None) -> Organisation:
    """The organisation if the user holds one of `roles` in it (default: any member role or
    staff); its `viewer_roles` attribute then holds all of the user's roles in it."""
    organisation = _organisation(slug)
    have = roles_for(user, organisation)
    if not have & (set(roles) if roles is not None else MEMBER_ROLES | {"staff"}):
        raise Forbidden(_("You do not have the role in this organisation that this needs."), code="forbidden")
    organisation.viewer_roles = have
    return organisation


def access_public_organisation(*, user, slug: str) -> Organisation:
    """Verified organisations are public; the others only to their members and staff."""
    organisation = _organisation(slug)
    organisation.viewer_roles = set()
    if not organisation.is_verified:
        organisation.viewer_roles = roles_for(user, organisation)
        if not organisation.viewer_roles:
            raise NotFound(_("There is no organisation at this address."), code="organisation_unknown")
    return organisation


def access_membership(*, user, slug: str, pk: int) -> Membership:
    """A membership of an organisation the user belongs to (what may be done with it is the
    service's decision: owners manage everyone, members may leave)."""
    organisation = access_organisation(user=user, slug=slug, roles=MEMBER_ROLES)
    membership = Membership.objects.select_related("user").filter(organisation=organisation, pk=pk).first()
    if membership is None:
        raise NotFound(_("This person is not a member of the organisation."), code="membership_unknown")
    membership.organisation = organisation
    return membership


def access_invitation(*, user, slug: str, pk: int) -> Invitation:
    organisation = access_organisation(user=user, slug=slug, roles={"owner"})
    invitation = Invitation.objects.filter(organisation=organisation, pk=pk).first()
    if invitation is None:
        raise NotFound(_("There is no such invitation."), code="invitation_unknown")
    invitation.organisation = organisation
    return invitation


def access_verification_step(*, organisation: Organisation, step: str) -> VerificationStep:
    """A sent step of an organisation already loaded on the user's behalf."""
    found = VerificationStep.objects.filter(organisation=organisation, step=step).first()
    if found is None:
        raise NotFound(_("This step has not been sent."), code="step_unknown")
    return found
