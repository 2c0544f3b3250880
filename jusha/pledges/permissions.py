"""Loading pledges on someone's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.pledges.models import Pledge


def access_pledge(*, user, pledge_id) -> Pledge:
    """The member's own pledge (NotFound for anyone else's: never confirming it exists)."""
    pledge = None
    if getattr(user, "is_authenticated", False):
        pledge = Pledge.objects.select_related("project").filter(pk=pledge_id, donor=user).first()
    if pledge is None:
        raise NotFound(_("There is no such pledge."), code="not_found")
    return pledge


def pledges_of(*, user):
    return Pledge.objects.filter(donor=user).select_related("project").order_by("-created_at")
