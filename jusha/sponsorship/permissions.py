"""Loading sponsorship's objects on someone's behalf, or refusing (404 for what a caller may
not see, never confirming it exists; 403 for a role that may not act).

- public profiles: anyone, for beneficiaries of a verified organisation's programme;
- a beneficiary's private record: its organisation's members only, every load audit-logged;
- a sponsorship: its sponsor, or its organisation's members;
- a follow-up case: the organisation, or the partner organisation it was shared with.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.organisations.models import Organisation
from jusha.organisations.permissions import access_organisation, roles_for
from jusha.sponsorship import states
from jusha.sponsorship.models import Beneficiary, FollowUpCase, Message, Programme, Sponsorship
from jusha.sponsorship.services import beneficiary_private_viewed

MEMBER_ROLES = states.MEMBERS | {states.STAFF}


def public_beneficiaries():
    """Beneficiaries of verified organisations' programmes, still in the programme."""
    return (
        Beneficiary.objects.filter(programme__organisation__verification="verified")
        .exclude(status__in=[Beneficiary.Status.WITHDRAWN])
        .select_related("programme__organisation", "programme__project")
    )


def access_public_beneficiary(*, pk) -> Beneficiary:
    beneficiary = public_beneficiaries().filter(pk=pk).first() if str(pk).isdigit() else None
    if beneficiary is None:
        raise NotFound(_("There is no such student."), code="beneficiary_unknown")
    return beneficiary


def access_programme(*, user, slug: str, roles=None) -> Programme:
    """The organisation's programme, for its members (NotFound if it has none)."""
    organisation = access_organisation(user=user, slug=slug, roles=roles if roles is not None else MEMBER_ROLES)
    programme = Programme.objects.select_related("project", "organisation").filter(organisation=organisation).first()
    if programme is None:
        raise NotFound(_("This organisation has no sponsorship programme yet."), code="programme_unknown")
    programme.viewer_roles = organisation.viewer_roles
    return programme


def access_private_beneficiary(*, user, pk, where: str) -> Beneficiary:
    """The private record, for the organisation's members; the view is audit-logged."""
    beneficiary = Beneficiary.objects.select_related("programme__organisation", "programme__project").filter(pk=pk).first() if str(pk).isdigit() else None
    if beneficiary is None:
        raise NotFound(_("There is no such student."), code="beneficiary_unknown")
    roles = roles_for(user, beneficiary.programme.organisation)
    if not roles & MEMBER_ROLES:
        raise NotFound(_("There is no such student."), code="beneficiary_unknown")
    beneficiary.viewer_roles = roles
    beneficiary_private_viewed(beneficiary=beneficiary, actor=user, where=where)
    return beneficiary


def _sponsorship(pk) -> Sponsorship | None:
    try:
        return (
            Sponsorship.objects.select_related("programme__organisation", "programme__project", "beneficiary", "donor")
            .filter(pk=pk).first()
        )
    except (ValueError, TypeError, Exception):  # noqa: BLE001 - a malformed id is an unknown one
        return None


def access_sponsorship(*, user, pk) -> Sponsorship:
    """For the sponsor (`viewer_is_sponsor`) or the organisation's members (`viewer_roles`)."""
    sponsorship = _sponsorship(pk)
    if sponsorship is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("There is no such sponsorship."), code="sponsorship_unknown")
    sponsorship.viewer_is_sponsor = sponsorship.donor_id == user.pk
    sponsorship.viewer_roles = roles_for(user, sponsorship.programme.organisation)
    if not sponsorship.viewer_is_sponsor and not sponsorship.viewer_roles & MEMBER_ROLES:
        raise NotFound(_("There is no such sponsorship."), code="sponsorship_unknown")
    return sponsorship


def access_organisation_sponsorship(*, user, pk, roles=states.CARERS) -> Sponsorship:
    """For the organisation's members who hold `roles` (a report on someone else's
    beneficiary is refused: 404 to outsiders, 403 to a role that may not act)."""
    sponsorship = access_sponsorship(user=user, pk=pk)
    if not sponsorship.viewer_roles & (MEMBER_ROLES | {states.STAFF}):
        raise NotFound(_("There is no such sponsorship."), code="sponsorship_unknown")
    if not sponsorship.viewer_roles & set(roles):
        raise Forbidden(_("Your role in this organisation cannot take this step."), code="not_allowed")
    return sponsorship


def access_message(*, sponsorship, pk) -> Message:
    message = Message.objects.filter(sponsorship=sponsorship, pk=pk).first() if str(pk).isdigit() else None
    if message is None:
        raise NotFound(_("There is no such message."), code="message_unknown")
    return message


def access_case(*, user, pk) -> FollowUpCase:
    """For the organisation's members and the partner's (`viewer_is_partner`)."""
    case = (
        FollowUpCase.objects.select_related("sponsorship__programme__organisation", "sponsorship__beneficiary", "partner")
        .filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if case is None:
        raise NotFound(_("There is no such case."), code="case_unknown")
    roles = roles_for(user, case.sponsorship.programme.organisation)
    case.viewer_is_partner = bool(case.partner_id and roles_for(user, case.partner) & MEMBER_ROLES)
    if not roles & MEMBER_ROLES and not case.viewer_is_partner:
        raise NotFound(_("There is no such case."), code="case_unknown")
    case.viewer_roles = roles
    return case


def access_report_photo(*, user, pk):
    """A report's photo: the sponsor (only ever with consent) or the organisation."""
    from jusha.sponsorship.models import Report

    report = Report.objects.select_related("sponsorship__beneficiary").filter(pk=pk).first() if str(pk).isdigit() else None
    if report is None or not report.photo:
        raise NotFound(_("There is no such photo."), code="photo_unknown")
    sponsorship = access_sponsorship(user=user, pk=report.sponsorship_id)
    if sponsorship.viewer_is_sponsor and not sponsorship.beneficiary.photo_consent:
        raise NotFound(_("There is no such photo."), code="photo_unknown")
    return report


def access_partner(*, slug: str):
    partner = Organisation.objects.filter(slug=slug).first()
    if partner is None:
        raise NotFound(_("There is no organisation at this address."), code="organisation_unknown")
    return partner
