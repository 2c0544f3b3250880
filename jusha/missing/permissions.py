"""Loading cases, sites and sightings on someone's behalf, or refusing."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.missing import states
from jusha.missing.models import Case, Feed, Partner, Sighting, Site
from jusha.missing.selectors import is_shown
from jusha.organisations.models import Organisation
from jusha.organisations.permissions import access_organisation, roles_for


def partner_active(organisation) -> bool:
    return Partner.objects.filter(organisation=organisation, revoked_at__isnull=True).exists()


def access_partner(*, user, slug: str):
    """An organisation whose cases the user keeps: owner, editor or staff of a verified
    organisation that holds staff's permission to publish missing persons."""
    organisation = access_organisation(user=user, slug=slug, roles=states.KEEPERS)
    if not organisation.is_verified or not partner_active(organisation):
        raise Forbidden(
            _("This organisation does not hold the permission to publish missing persons."), code="not_partner"
        )
    return organisation


def _case(pk) -> Case:
    case = Case.objects.select_related("organisation").filter(pk=pk).first() if str(pk).isdigit() else None
    if case is None:
        raise NotFound(_("There is no such missing-person notice."), code="case_unknown")
    return case


def access_case(*, user, pk) -> Case:
    """A case for its keepers (the partner's owners and editors, staff), private fields
    included; `viewer_roles` set. Another organisation's members get 403."""
    case = _case(pk)
    roles = roles_for(user, case.organisation)
    if not roles & states.KEEPERS:
        raise Forbidden(_("Only the organisation that keeps this case may change it."), code="forbidden")
    case.viewer_roles = roles
    return case


def access_public_case(*, pk) -> Case:
    """Any case that was ever public: an active one only while it is shown (consent on file,
    not expired, the partner's permission standing); a found or withdrawn one (its page
    then says only that). Others are unknown."""
    case = _case(pk)
    if case.is_active and not is_shown(case):
        raise NotFound(_("There is no such missing-person notice."), code="case_unknown")
    return case


def access_site(*, user, pk) -> Site:
    site = Site.objects.filter(pk=pk, owner=user).first() if getattr(user, "is_authenticated", False) else None
    if site is None:
        raise NotFound(_("There is no such site."), code="site_unknown")
    return site


def notice_site(key: str) -> Site | None:
    """The live site for a widget key, or None (unknown or revoked: the notice is empty)."""
    if not key or len(key) > 32:
        return None
    if key == settings.JUSHA_MISSING_OWN_SITE_KEY:  # Jusha's own 404 page: no row, no region
        return Site(key=key, domain="jusha", region_code="", language=Site.Language.HANS)
    return Site.objects.filter(key=key, revoked_at__isnull=True).first()


def access_sighting(*, user, pk) -> Sighting:
    sighting = Sighting.objects.select_related("case", "case__organisation").filter(pk=pk).first()
    if sighting is None:
        raise NotFound(_("There is no such sighting."), code="sighting_unknown")
    roles = roles_for(user, sighting.case.organisation)
    if not roles & states.KEEPERS:
        raise Forbidden(_("Only the organisation that keeps this case may see its sightings."), code="forbidden")
    sighting.viewer_roles = roles
    return sighting


def access_feed(*, user, slug: str, pk) -> Feed:
    """One of a partner's feeds, for its keepers."""
    organisation = access_partner(user=user, slug=slug)
    feed = Feed.objects.filter(organisation=organisation, pk=pk).first()
    if feed is None:
        raise NotFound(_("There is no such feed."), code="feed_unknown")
    feed.organisation = organisation
    return feed


def access_partner_grants(*, user):
    """Platform staff only: the verified organisations, with whether each may publish."""
    if not getattr(user, "is_staff", False):
        raise Forbidden(_("Only platform staff may grant this permission."), code="forbidden")
    return Organisation.objects.filter(verification=Organisation.Verification.VERIFIED).select_related("missing_partner")


def access_grantable(*, user, slug: str):
    organisation = access_partner_grants(user=user).filter(slug=slug).first()
    if organisation is None:
        raise NotFound(_("There is no organisation at this address."), code="organisation_unknown")
    return organisation
