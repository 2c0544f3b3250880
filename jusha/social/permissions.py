"""Loading things on someone's behalf for sharing, or refusing. Views never filter by hand."""

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.giving.models import Donation
from jusha.giving.permissions import access_donation, donation_can_view_private
from jusha.organisations.permissions import MEMBER_ROLES
from jusha.projects.models import Project
from jusha.projects.permissions import access_project
from jusha.projects.selectors import is_public
from jusha.social import selectors
from jusha.social.models import ShareLink


FIGURES_VIEWERS = MEMBER_ROLES | {"staff"}  # the organisation's view of a project's sharing


def access_sharing_figures(*, user, slug: str) -> Project:
    """A project's sharing figures in aggregate, for its organisation's members and staff."""
    return access_project(user=user, slug=slug, roles=FIGURES_VIEWERS)


def can_see_sharing_figures(project) -> bool:
    """Whether the viewer (`project.viewer_roles`) may open the project's sharing figures."""
    return bool(getattr(project, "viewer_roles", set()) & FIGURES_VIEWERS)


def access_shared_project(*, user, slug: str) -> Project:
    """A project to share and follow the relay of: public projects only (a draft has
    nothing to pass on, even to its members), with `viewer_roles` set."""
    project = access_project(user=user, slug=slug)
    if not is_public(project):
        raise NotFound(_("There is no such project."))
    return project


def access_link(*, code: str, public_only: bool = True) -> ShareLink:
    """A share link by its code (with its project and organisation). With `public_only`
    (opening it, its posters) a link to a project that is not public does not exist."""
    link = selectors.link_by_code(code)
    if link is None or (public_only and not is_public(link.project)):
        raise NotFound(_("No such share link."), code="not_found")
    return link


def access_own_link(*, visitor, code: str) -> ShareLink:
    """A link's figures are for its owner (a member, or the guest browser that made it):
    to anyone else the link does not exist."""
    link = selectors.link_by_code(code)
    if link is None or not visitor.owns(link):
        raise NotFound(_("No such share link."), code="not_found")
    return link


def access_own_gift(*, user, tokens: dict, donation_id) -> Donation:
    """A gift its donor may light the relay from: their account's, or one whose receipt
    token this browser holds (`tokens`: the giving session's {donation id: token}).
    Anyone else's gift does not exist for them."""
    donation = access_donation(donation_id=donation_id, related=("project__organisation",))
    if not donation_can_view_private(donation, user=user, access_token=tokens.get(str(donation_id))):
        raise NotFound(_("No such gift."), code="not_found")
    return donation
