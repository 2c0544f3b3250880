"""Loading what ratings shows on someone's behalf."""

from jusha.giving.permissions import access_donation, donation_can_view_private
from jusha.organisations.permissions import access_public_organisation, roles_for


def access_rated_organisation(*, user, slug: str):
    """A public organisation (verified, or one the user belongs to), with `viewer_roles`."""
    organisation = access_public_organisation(user=user, slug=slug)
    organisation.viewer_roles = roles_for(user, organisation)
    return organisation


def access_feedback_donation(*, donation_id, user, access_token: str = ""):
    """A gift and whether the caller may answer for it (its member donor, or the holder of
    its receipt link's key in this session)."""
    donation = access_donation(donation_id=donation_id, related=("project__organisation",))
    return donation, donation_can_view_private(donation, user=user, access_token=access_token)
