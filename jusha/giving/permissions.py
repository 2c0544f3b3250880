"""Loading gifts and projects on someone's behalf, for giving's views and API. They never
filter by hand: every load goes through one of these, which refuse with NotFound (never
confirming what a caller may not see) or Forbidden."""

from __future__ import annotations

import hmac

from django.core import signing
from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.giving import sql
from jusha.giving.models import Donation
from jusha.projects.models import Project
from jusha.projects.permissions import access_project
from jusha.projects.selectors import ProjectSums, is_public, project_with_sums

FINANCE_ROLES = {"finance", "owner", "staff"}
# Not "jusha.giving.receipt": the keys that older receipt emails carried in their links open nothing.
GRANT_SALT = "jusha.giving.receipt-grant"


def access_giving_project(*, slug: str) -> Project:
    """A project a donor may give to or look at: published (or cancelled after it was)."""
    project = Project.objects.select_related("organisation").filter(slug=slug).first()
    if project is None or not is_public(project):
        raise NotFound(_("No such project."), code="not_found")
    return project


def access_giving_project_with_sums(*, slug: str) -> tuple[Project, ProjectSums]:
    """The same project as `access_giving_project`, with its sums read in the same statement
    (the gift path's read: one round trip for the project, its organisation and its totals)."""
    project, sums = project_with_sums(slug=slug)
    if project is None or not is_public(project):
        raise NotFound(_("No such project."), code="not_found")
    return project, sums


def access_finance_project(*, user, slug: str) -> Project:
    """The project, for its organisation's finance members, owners and staff."""
    try:
        return access_project(user=user, slug=slug, roles=FINANCE_ROLES)
    except Forbidden as exc:
        raise Forbidden(_("Only the organisation's finance members can see this."), code="not_finance") from exc


def access_donation(*, donation_id, related: tuple[str, ...] = ("project",)) -> Donation:
    """A gift by its id (its public facts are public); NotFound if there is none."""
    # select_related() with no names would follow every foreign key, however deep: only those asked for.
    donations = Donation.objects.select_related(*related) if related else Donation.objects.all()
    donation = donations.filter(pk=donation_id).first()
    if donation is None:
        raise NotFound(_("No such gift."), code="not_found")
    return donation


def access_donation_intent(*, donation_id) -> tuple[str, str | None]:
    """(provider, intent_id) of a gift by its id, and nothing else of it (the sandbox's pay
    button needs no more); NotFound if there is none."""
    found = sql.donation_intent(donation_id=donation_id)
    if found is None:
        raise NotFound(_("No such gift."), code="not_found")
    return found


def access_donation_by_receipt(*, number: str) -> Donation | None:
    """The paid gift with this receipt number, if any."""
    return Donation.objects.filter(receipt_number=number).select_related("project").first() if number else None


def access_refundable_donation(*, user, donation_id) -> Donation:
    """A gift, for the finance members (owners, staff) of its project's organisation."""
    donation = access_donation(donation_id=donation_id, related=("project__organisation",))
    access_finance_project(user=user, slug=donation.project.slug)
    return donation


def donations_of(*, user):
    """The member's own gifts."""
    return Donation.objects.filter(donor=user).select_related("project").order_by("-created_at")


def receipt_grant(donation) -> str:
    """What a browser's session keeps once it has shown a receipt link or the access token:
    a second key to the receipt that never travels in a URL (receipt_links.py). `donation`
    is a gift or its id."""
    return signing.dumps(str(getattr(donation, "pk", donation)), salt=GRANT_SALT)


def access_token_valid(donation: Donation, token: str | None) -> bool:
    """The gift's access token, or a grant a session keeps for it."""
    if not token:
        return False
    if hmac.compare_digest(Donation.digest(token), donation.access_digest):
        return True
    try:
        return signing.loads(token, salt=GRANT_SALT) == str(donation.pk)
    except signing.BadSignature:
        return False


def donation_can_view_private(donation: Donation, *, user=None, access_token: str | None = None) -> bool:
    """Message, name and email of a gift: for its receipt link's holder and its member donor."""
    if access_token_valid(donation, access_token):
        return True
    return bool(getattr(user, "is_authenticated", False) and donation.donor_id == user.pk)
