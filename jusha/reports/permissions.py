"""Loading reports on someone's behalf. Staff see everything; an organisation's members
see the reports about it through `OrganisationView` only, which has no reporter in it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jusha.core.errors import Forbidden, NotFound
from jusha.organisations.permissions import access_organisation
from jusha.reports import registry
from jusha.reports.models import Evidence, Report

ANSWER_ROLES = {"owner", "editor", "finance"}


MAX_PK = 2**63 - 1  # ids past what a database integer holds are simply unknown


def _known(pk) -> bool:
    return isinstance(pk, int) and 0 < pk <= MAX_PK


def _staff(user) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        # Never confirm to others that a report exists.
        raise NotFound(_("There is no such report."), code="report_unknown")


def access_report_for_staff(*, user, pk: int) -> Report:
    _staff(user)
    report = Report.objects.select_related("organisation", "reporter").filter(pk=pk).first() if _known(pk) else None
    if report is None:
        raise NotFound(_("There is no such report."), code="report_unknown")
    return report


def access_evidence(*, user, report_pk: int, pk: int) -> Evidence:
    """Evidence files are for staff only: they may show who the reporter is."""
    _staff(user)
    evidence = Evidence.objects.filter(report_id=report_pk, pk=pk).first() if _known(pk) and _known(report_pk) else None
    if evidence is None:
        raise NotFound(_("There is no such file."), code="evidence_unknown")
    return evidence


def access_reports_of_organisation(*, user, slug: str):
    """The organisation, for a member who may answer (owner, editor, finance) or staff."""
    return access_organisation(user=user, slug=slug, roles=ANSWER_ROLES | {"staff"})


def access_report_of_organisation(*, user, slug: str, pk: int) -> Report:
    organisation = access_reports_of_organisation(user=user, slug=slug)
    report = Report.objects.filter(organisation=organisation, pk=pk).first() if _known(pk) else None
    if report is None:
        raise NotFound(_("There is no such report."), code="report_unknown")
    report.organisation = organisation
    return report


def access_reportable(*, user, kind: str, key: str):
    """What a reporter names by its public key (a project's slug, a link's code), if they
    can see it; a kind nobody registered is unknown."""
    spec = registry.kinds().get(kind)
    if spec is None:
        raise NotFound(_("This cannot be reported."), code="kind_unknown")
    return spec.lookup(user, key)


def refuse_unless_staff(user) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        raise Forbidden(_("Only platform staff can do this."), code="staff_only")
