"""Loading things on someone's behalf for sharing, or refusing. Views never filter by hand."""

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.giving.models import Donation
from jusha.giving.permissions import donation_can_view_private


def access_own_gift(*, user, tokens: dict, donation_id) -> Donation:
    """A gift its donor may light the relay from: their account's, or one whose receipt
    token this browser holds (`tokens`: the giving session's {donation id: token}).
    Anyone else's gift does not exist for them."""
    donation = Donation.objects.select_related("project__organisation").filter(pk=donation_id).first()
    token = tokens.get(str(donation_id))
    if donation is None or not donation_can_view_private(donation, user=user, access_token=token):
        raise NotFound(_("No such gift."), code="not_found")
    return donation
