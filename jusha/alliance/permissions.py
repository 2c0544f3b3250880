"""Loading webhook endpoints, deliveries, organisations' open data and ActivityPub actors
on someone's behalf, or refusing (NotFound where the caller may not even know it exists)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jusha.alliance import federation
from jusha.alliance.models import Delivery, Endpoint
from jusha.core.errors import Forbidden, NotAuthenticated, NotFound
from jusha.organisations.models import Membership, Organisation


def _require_user(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated(_("Please log in or send a valid API token."), code="not_authenticated")


def endpoints_visible(*, user):
    """The endpoints a user keeps: those of organisations they own, all of them for staff."""
    _require_user(user)
    endpoints = Endpoint.objects.select_related("organisation")
    if user.is_staff:
        return endpoints
    owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values("organisation_id")
    return endpoints.filter(Q(organisation_id__in=owned))


def access_endpoint(*, user, pk) -> Endpoint:
    endpoint = endpoints_visible(user=user).filter(pk=pk).first() if str(pk).isdigit() else None
    if endpoint is None:
        raise NotFound(_("There is no such webhook endpoint."), code="webhook_unknown")
    return endpoint


def access_delivery(*, user, endpoint_pk, pk) -> Delivery:
    endpoint = access_endpoint(user=user, pk=endpoint_pk)
    delivery = endpoint.deliveries.filter(pk=pk).first() if str(pk).isdigit() else None
    if delivery is None:
        raise NotFound(_("There is no such delivery."), code="delivery_unknown")
    delivery.endpoint = endpoint
    return delivery


def access_webhook_organisation(*, user, slug: str | None) -> Organisation | None:
    """The organisation an endpoint is for (its owners and staff), or None (platform-wide:
    staff). Unknown slug: 404."""
    _require_user(user)
    if not slug:
        if not user.is_staff:
            raise Forbidden(_("Only platform staff may subscribe to platform-wide events."), code="staff_only")
        return None
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise NotFound(_("There is no organisation at this address."), code="organisation_unknown")
    if not user.is_staff and not Membership.objects.filter(
        organisation=organisation, user=user, role=Membership.Role.OWNER,
    ).exists():
        raise Forbidden(_("Only the organisation's owners may subscribe webhooks."), code="not_owner")
    return organisation


def access_open_organisation(*, slug: str) -> Organisation:
    """An organisation whose open data is published: a verified one."""
    organisation = Organisation.objects.filter(slug=slug, verification=Organisation.Verification.VERIFIED).first()
    if organisation is None:
        raise NotFound(_("There is no organisation at this address."), code="organisation_unknown")
    return organisation


def access_actor(*, kind: str, slug: str):
    """A public local ActivityPub actor (a verified organisation, a published project)."""
    return federation.public_actor(kind, slug)


def open_organisation_or_none(*, slug: str) -> Organisation | None:
    """A verified organisation, or None (the platform's own slug may name no organisation)."""
    return Organisation.objects.filter(slug=slug, verification=Organisation.Verification.VERIFIED).first()


def organisations_owned(*, user):
    """The organisations a user owns (every organisation for staff is not implied)."""
    _require_user(user)
    return Organisation.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)
