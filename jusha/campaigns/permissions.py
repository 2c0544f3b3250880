"""Loading campaigns and applications on someone's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.campaigns.models import Application, Campaign
from jusha.core.errors import NotFound
from jusha.projects.permissions import user_roles


def access_campaign(*, user, slug: str) -> Campaign:
    """A published campaign; an unpublished one only for staff (NotFound to others)."""
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None or (campaign.published_at is None and not getattr(user, "is_staff", False)):
        raise NotFound(_("There is no such campaign."), code="not_found")
    return campaign


def access_application(*, user, campaign, pk) -> Application:
    """An application to the campaign, for staff and the project's organisation's members
    (what they may do with it is the transition table's decision)."""
    applications = Application.objects.select_related("project__organisation", "campaign")
    application = applications.filter(campaign=campaign, pk=pk).first()
    if application is None or not user_roles(user, application.project.organisation):
        raise NotFound(_("There is no such application."), code="not_found")
    return application
